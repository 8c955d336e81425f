// The import wizard's small helpers, without inline script (the pages' CSP allows no 'unsafe-inline'):
// - a file over the size limit is refused in the browser at once, before any byte is uploaded;
// - a button whose form carries data-confirm asks before it deletes anything.
(function () {
  "use strict";
  var input = document.querySelector("input[type=file][data-max-bytes]");
  if (input) {
    var limit = Number(input.dataset.maxBytes);
    var message = document.createElement("p");
    message.className = "error";
    message.id = input.id + "-size";
    message.setAttribute("role", "alert");
    message.hidden = true;
    input.insertAdjacentElement("afterend", message);
    var check = function () {
      var file = input.files && input.files[0];
      var tooLarge = Boolean(file && file.size > limit);
      input.setCustomValidity(tooLarge ? input.dataset.tooLarge : "");
      message.textContent = tooLarge ? input.dataset.tooLarge : "";
      message.hidden = !tooLarge;
      input.setAttribute("aria-invalid", tooLarge ? "true" : "false");
      return !tooLarge;
    };
    input.addEventListener("change", check);
    input.form.addEventListener("submit", function (event) {
      if (!check()) { event.preventDefault(); input.focus(); }
    });
  }
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });
}());
