using KC.Application.Processing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace KC.Infrastructure.Persistence.Postgres;

/// <summary>
/// Wakes this node's idle worker when a submit on any node commits new work: submits send
/// <c>NOTIFY kc_work</c> in their transaction, and this holds one connection that LISTENs.
/// A lost connection is opened again, and the worker is woken once then, in case a notice was
/// missed meanwhile; the idle poll stays as the floor beneath it all.
/// </summary>
internal sealed partial class PostgresWorkListener(
    string connectionString,
    WorkSignal signal,
    ILogger<PostgresWorkListener> logger) : BackgroundService
{
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Its own connection, outside the pool: it is held for the life of the node.
        var listening = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, KeepAlive = 30 }.ConnectionString;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var connection = new NpgsqlConnection(listening);
                await using (connection.ConfigureAwait(false))
                {
                    connection.Notification += (_, _) => signal.NotifyWorkAvailable();
                    await connection.OpenAsync(stoppingToken).ConfigureAwait(false);
                    await using (var listen = new NpgsqlCommand($"LISTEN {PostgresDialect.WorkChannel}", connection))
                    {
                        await listen.ExecuteNonQueryAsync(stoppingToken).ConfigureAwait(false);
                    }

                    signal.NotifyWorkAvailable();
                    while (true)
                    {
                        await connection.WaitAsync(stoppingToken).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or IOException)
            {
                LogListenFailed(ex, ReconnectDelay.TotalSeconds);
                await Task.Delay(ReconnectDelay, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening for new work failed; idle polling covers the gap, and listening starts again in {Seconds} s")]
    private partial void LogListenFailed(Exception exception, double seconds);
}
