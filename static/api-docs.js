// Start Swagger UI on the OpenAPI document named by the page (no inline script: the CSP allows none).
//
// deepLinking is off: with it on, Swagger UI puts a link inside each operation's toggle button (a nested
// interactive control that screen readers cannot reach). The code examples use a highlighting theme whose
// colours reach 4.5:1 on its background.
window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    domNode: root,
    deepLinking: false,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    tryItOutEnabled: false,
    validatorUrl: null,
    syntaxHighlight: { activated: true, theme: "monokai" },
  });
  // Swagger UI has no option to name its unlabelled controls: the server list and the request body editor of
  // "Try it out" get the names their headings show, whenever Swagger UI renders them.
  var names = { "#servers": "Servers", "textarea.body-param__text": "Request body" };
  new MutationObserver(function () {
    Object.keys(names).forEach(function (selector) {
      root.querySelectorAll(selector + ":not([aria-label])").forEach(function (control) {
        control.setAttribute("aria-label", names[selector]);
      });
    });
  }).observe(root, { childList: true, subtree: true });
});
