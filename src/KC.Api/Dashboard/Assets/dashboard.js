// KC's dashboard: the only script it runs. Parts of a page marked data-live are fetched again
// every data-every seconds and replaced with the HTML the server renders for them (escaped there,
// like the rest of the page). A part stops refreshing when the server says its subject settled,
// and reloads the page if it asks to (data-reload-when-final). A part holding a checked box or the
// focus waits, so a refresh never undoes a selection.
"use strict";

document.querySelectorAll("[data-live]").forEach((part) => {
  const every = Math.max(1, Number(part.dataset.every) || 2) * 1000;
  const refresh = async () => {
    const busy = part.querySelector("input:checked") || part.contains(document.activeElement);
    if (!busy && document.visibilityState === "visible") {
      try {
        const answer = await fetch(part.dataset.live, { headers: { "X-KC-Live": "1" }, credentials: "same-origin" });
        if (answer.ok) {
          part.innerHTML = await answer.text();
          if (answer.headers.get("X-KC-Final") === "true") {
            if (part.hasAttribute("data-reload-when-final")) {
              location.reload();
            }
            return;
          }
        }
      } catch {
        // The service may be restarting: try again at the next tick.
      }
    }
    setTimeout(refresh, every);
  };
  setTimeout(refresh, every);
});

// "Select every job on this page".
document.querySelectorAll("[data-select-all]").forEach((all) => {
  all.addEventListener("change", () => {
    all.form.querySelectorAll(`input[name="${all.dataset.selectAll}"]`).forEach((box) => { box.checked = all.checked; });
  });
});
