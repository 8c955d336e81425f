// Poll an import's progress and reload the page when the dry run or the commit has ended.
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box) { return; }
  var bar = box.querySelector("progress");
  var text = document.getElementById("progress-text");
  function poll() {
    fetch(box.dataset.url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (state) {
        if (state.status !== "planning" && state.status !== "committing") { window.location.reload(); return; }
        bar.max = state.total || 1;
        bar.value = state.done;
        text.textContent = state.done + " of " + state.total + " rows";
        window.setTimeout(poll, 500);
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  window.setTimeout(poll, 300);
}());
