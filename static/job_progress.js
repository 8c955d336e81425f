// Poll a job's progress ({status, done, total, worker_lost}) into the page; reload when the job has ended.
(function () {
  "use strict";
  var box = document.getElementById("job-progress");
  if (!box) { return; }
  var bar = box.querySelector("progress");
  var text = document.getElementById("job-progress-text");
  function show(state) {
    var note = state.status === "queued" ? " — waiting for a job worker to take it" :
      (state.worker_lost ? " — its worker stopped; it is being prepared again" : "");
    if (!state.total) {
      bar.removeAttribute("value");
      text.textContent = "Starting…" + note;
      return;
    }
    bar.max = state.total;
    bar.value = state.done;
    text.textContent = state.done.toLocaleString() + " of " + state.total.toLocaleString() + " participants" + note;
  }
  function poll() {
    fetch(box.dataset.url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (state) {
        if (state.status !== "queued" && state.status !== "running") { window.location.reload(); return; }
        show(state);
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
}());
