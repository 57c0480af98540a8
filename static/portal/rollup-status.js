// "Ask the worker for a fresh run" on the comparison page: shows queued, running and done (with
// the new figure) without a reload, polling the status endpoint every two seconds while it runs.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("rollup-status");
  if (!box) return;
  let timer;
  const show = async () => {
    let body;
    try {
      const response = await fetch(box.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      body = await response.json();
    } catch (error) {
      timer = window.setTimeout(show, 5000); // the server or the network is away: try again later
      return;
    }
    box.dataset.state = body.state;
    if (body.state === "idle") {
      box.textContent = "";
      return;
    }
    box.textContent = body.label || "";
    if (body.state === "queued" || body.state === "running") {
      timer = window.setTimeout(show, 2000);
      return;
    }
    if (body.run_id && String(body.run_id) !== box.dataset.shownRun) {
      const link = document.createElement("a");
      link.href = window.location.pathname + "?year=" + encodeURIComponent(body.year);
      link.textContent = box.dataset.reload;
      link.id = "rollup-status-reload";
      box.append(" ", link);
    }
  };
  show();
  window.addEventListener("pagehide", () => window.clearTimeout(timer));
});
