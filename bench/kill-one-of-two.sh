#!/usr/bin/env bash
# Two KC processes with the default settings on one SQLite database, a 1,000-image job, and one
# process SIGKILLed once about 250 outcomes are recorded: how long until the job completes, and
# what GET /api/nodes shows. Only the addresses, the database file and the environment
# (Development, so the bundled sample images may be fetched from the service itself) are set.
#
#   dotnet build -c Release src/KC.Api
#   bench/kill-one-of-two.sh [folder of KC.Api.dll] [seconds to wait for completion]
#
# Needs curl and jq.
set -euo pipefail

bin=${1:-src/KC.Api/bin/Release/net10.0}
wait_for=${2:-180}
bin=$(cd "$bin" && pwd)
work=$(mktemp -d)
first_port=18181
second_port=18182
pids=()

cleanup() {
    for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

start() {
    # The binary's own folder as working directory, so its appsettings files are read.
    (cd "$bin" && ASPNETCORE_ENVIRONMENT=Development Urls="http://127.0.0.1:$1" \
        ConnectionStrings__KC="Data Source=$work/kc.db" exec dotnet KC.Api.dll >"$work/$1.log" 2>&1) &
    pids+=("$!")
    until curl -sf "http://127.0.0.1:$1/health/ready" >/dev/null; do sleep 0.2; done
}

now() { date +%s.%N; }

start $first_port
start $second_port
survivor=http://127.0.0.1:$first_port
victim_pid=${pids[1]}

images=$(jq -nc --arg base "$survivor/samples" '[range(0; 1000) | "\($base)/shelf-\(["640x480", "1024x768", "300x200"][. % 3]).png"]')
body=$(jq -nc --argjson urls "$images" '{count: 10, visits: [range(0; 10) as $v |
    {store_id: "S00339218", visit_time: "2025-03-11T12:00:00Z", image_url: $urls[($v * 100):(($v + 1) * 100)]}]}')
job=$(curl -sf -X POST "$survivor/api/submit" -H 'Content-Type: application/json' -d "$body" | jq -r .job_id)

# Plain text matching, not jq: the poll must keep up with about 500 outcomes a second.
settled() {
    local status
    status=$(curl -sf "$survivor/api/status?jobid=$job")
    [[ $status =~ \"succeeded\":([0-9]+),\"failed\":([0-9]+) ]] && echo $((BASH_REMATCH[1] + BASH_REMATCH[2])) || echo 0
}
while outcomes=$(settled); [ "$outcomes" -lt 250 ]; do :; done
kill -KILL "$victim_pid"
killed=$(now)

# A dead process's leases stand still until they lapse: read now, they are those it died holding.
echo "killed process $victim_pid once $outcomes outcomes were recorded; leases held: $(curl -sf "$survivor/api/nodes" | jq -c '[.nodes[] | {node_id, process_id, leases_held}]')"

status=ongoing
while [ "$status" = ongoing ] && [ "$(echo "$(now) - $killed < $wait_for" | bc)" = 1 ]; do
    sleep 0.1
    status=$(curl -sf "$survivor/api/status?jobid=$job" | jq -r .status)
done

elapsed=$(echo "$(now) - $killed" | bc)
echo "status $status $(printf '%.1f' "$elapsed") s after the kill: $(curl -sf "$survivor/api/status?jobid=$job" | jq -c .progress)"
echo "GET /api/nodes:"
curl -sf "$survivor/api/nodes" | jq -c '.nodes[]'
