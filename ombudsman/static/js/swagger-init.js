/* Starts Swagger UI on /api/v1/docs with the settings the page carries as JSON (no inline script: CSP). */
(function () {
  "use strict";
  var settings = JSON.parse(document.getElementById("swagger-ui-settings").textContent);
  var config = { url: settings.url, dom_id: settings.dom_id };
  Object.keys(settings.override || {}).forEach(function (name) { config[name] = settings.override[name]; });
  window.addEventListener("load", function () {
    window.ui = window.SwaggerUIBundle(config);
  });
})();
