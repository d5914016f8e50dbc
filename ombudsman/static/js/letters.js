// Letter editor: refresh the preview frame from the unsaved form, a moment after the user stops typing.
// Without JavaScript the frame shows the saved letter and "Simpan" updates it.
(function () {
  "use strict";
  var form = document.querySelector("form[data-preview-url]");
  var frame = document.getElementById("letter-preview");
  if (!form || !frame || !window.fetch) return;
  var timer = null;
  var latest = 0;

  function refresh() {
    var ticket = ++latest;
    fetch(form.getAttribute("data-preview-url"), {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
    })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        // Only the newest answer counts; the frame stays sandboxed (no scripts run inside it).
        if (html !== null && ticket === latest) frame.srcdoc = html;
      })
      .catch(function () { /* offline: the saved preview stays */ });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 500);
  }

  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();
