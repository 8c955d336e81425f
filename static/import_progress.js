// Poll an import's progress: percentage, rows per second and time left; reload when the run has ended.
// The state is {status, done, total, failure} plus, from the job queue, `started_at` (ISO 8601; `started` in
// epoch seconds is read too) and `waiting` / `retrying`; without a start time the speed is measured between polls.
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box) { return; }
  var bar = box.querySelector("progress");
  var text = document.getElementById("progress-text");
  var speed = document.getElementById("progress-speed");
  var first = null;
  function startedAt(state) {
    if (typeof state.started === "number") { return state.started * 1000; }
    var parsed = Date.parse(state.started_at || state.started || "");
    return isNaN(parsed) ? null : parsed;
  }
  function duration(seconds) {
    if (seconds < 60) { return Math.max(1, Math.round(seconds)) + " s"; }
    var minutes = Math.round(seconds / 60);
    return minutes < 60 ? minutes + " min" : Math.floor(minutes / 60) + " h " + (minutes % 60) + " min";
  }
  function note(state) {
    if (state.waiting) { return " — waiting for a job worker to take it"; }
    if (state.retrying) { return " — its worker stopped; the import is being retried (nothing was written)"; }
    return "";
  }
  function show(state) {
    var now = Date.now();
    if (!state.total) {
      bar.removeAttribute("value");
      text.textContent = "Counting the rows of the file…" + note(state);
      speed.textContent = "";
      return;
    }
    bar.max = state.total;
    bar.value = state.done;
    var percent = Math.floor(100 * state.done / state.total);
    text.textContent = percent + "%: " + state.done.toLocaleString() + " of " + state.total.toLocaleString() +
      " rows" + note(state);
    var since = startedAt(state), rate = null;
    if (since !== null && now - since > 1000 && state.done > 0) {
      rate = state.done / ((now - since) / 1000);
    } else if (first === null || state.done < first.done) {
      first = {done: state.done, at: now};
    } else if (now > first.at && state.done > first.done) {
      rate = (state.done - first.done) / ((now - first.at) / 1000);
    }
    speed.textContent = rate ? Math.round(rate).toLocaleString() + " rows/s, about " +
      duration((state.total - state.done) / rate) + " left" : "";
  }
  function poll() {
    fetch(box.dataset.url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (state) {
        if (state.status !== "planning" && state.status !== "committing") { window.location.reload(); return; }
        show(state);
        window.setTimeout(poll, 500);
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  window.setTimeout(poll, 300);
}());
