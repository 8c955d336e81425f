// API clients page: copy the new token with one click (Clipboard API), and bring a transfer warning into view.
// No inline script: the CSP allows only scripts served by the app.
(function () {
  "use strict";
  function copy(button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    var status = document.getElementById("copy-status");
    var text = source ? source.textContent.trim() : "";
    function say(message) { if (status) { status.textContent = message; } }
    function selectIt() {
      var range = document.createRange();
      range.selectNodeContents(source);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
    }
    if (!navigator.clipboard || !window.isSecureContext) {
      selectIt();
      say("Selected: press Ctrl+C (or ⌘+C) to copy.");
      return;
    }
    navigator.clipboard.writeText(text).then(function () {
      say("Copied. Paste it into your system's secrets now.");
      button.textContent = "Copied";
    }, function () {
      selectIt();
      say("Could not copy automatically: the token is selected, press Ctrl+C (or ⌘+C).");
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var buttons = document.querySelectorAll("button[data-copy]");
    Array.prototype.forEach.call(buttons, function (button) {
      button.hidden = false;  // without this script the token is still there to select by hand
      button.addEventListener("click", function () { copy(button); });
    });
    var warning = document.getElementById("transfer-warning");
    if (warning) { warning.focus(); }
  });
}());
