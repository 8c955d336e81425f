// Poll an import's progress and reload the page when the dry run or the commit has ended.
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box) { return; }
  var bar = box.querySelector("progress");
  var text = document.getElementById("progress-text");
  // Rows per second since the stage started, and the time left at that rate.
  function describe(state) {
    var line = state.done + " of " + state.total + " rows";
    if (state.waiting) { return line + " — waiting for a job worker to take it"; }
    if (state.retrying) { return line + " — its worker stopped; the import is being retried (nothing was written)"; }
    var seconds = state.started_at ? (Date.now() - Date.parse(state.started_at)) / 1000 : 0;
    if (seconds > 1 && state.done > 0) {
      var rate = state.done / seconds;
      line += " — " + Math.round(rate) + " rows/s";
      if (state.total > state.done) { line += ", about " + Math.ceil((state.total - state.done) / rate) + " s left"; }
    }
    return line;
  }
  function poll() {
    fetch(box.dataset.url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (state) {
        if (state.status !== "planning" && state.status !== "committing") { window.location.reload(); return; }
        bar.max = state.total || 1;
        bar.value = state.done;
        text.textContent = describe(state);
        window.setTimeout(poll, 500);
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  window.setTimeout(poll, 300);
}());
