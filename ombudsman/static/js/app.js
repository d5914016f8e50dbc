// Small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";
  // Ask before destructive actions marked with data-confirm.
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });

  // Forms with files: the files chosen together must fit one request (the server's limit, on <body>), or the
  // server refuses the whole submission and the page with what was typed is gone. Checked when files are
  // chosen (a message under the field) and again on submit (nothing is sent while it is too large).
  var maxBytes = parseInt(document.body.getAttribute("data-max-request-bytes") || "0", 10);
  function chosenBytes(form) {
    var total = 0;
    Array.prototype.forEach.call(form.querySelectorAll("input[type=file]"), function (input) {
      Array.prototype.forEach.call(input.files || [], function (file) { total += file.size; });
    });
    return total;
  }
  function showTooLarge(form) {
    var total = chosenBytes(form);
    var note = form.querySelector(".too-large");
    var tooLarge = maxBytes > 0 && total > maxBytes;
    if (!tooLarge) {
      if (note) note.remove();
      return false;
    }
    if (!note) {
      note = document.createElement("p");
      note.className = "error too-large";
      note.setAttribute("role", "alert");
      var inputs = form.querySelectorAll("input[type=file]");
      var last = inputs[inputs.length - 1];
      last.parentNode.insertBefore(note, last.nextSibling);
    }
    var mb = (Math.ceil(total / 104857.6) / 10).toFixed(1);  // one decimal, rounded up
    note.textContent = document.body.getAttribute("data-too-large").replace("{total}", mb);
    return true;
  }
  // Only forms the browser sends itself (the field capture page sends each photo on its own).
  function sentWhole(form) { return form && form.enctype === "multipart/form-data"; }
  document.addEventListener("change", function (event) {
    if (event.target.type === "file" && sentWhole(event.target.form)) showTooLarge(event.target.form);
  });
  document.addEventListener("submit", function (event) {
    var target = event.target;
    if (sentWhole(target) && showTooLarge(target)) {
      event.preventDefault();
      target.querySelector(".too-large").scrollIntoView({ block: "center" });
    }
  });

  // Finding form: show the routing suggestion live and let the inspector accept it in one tap.
  var form = document.querySelector("form[data-suggest-url]");
  if (!form) return;
  var box = document.getElementById("suggestion");
  var theme = form.querySelector("#routing_rule_id");
  var item = form.querySelector("#checklist_item_id");
  var title = form.querySelector("#title");
  var description = form.querySelector("#description");
  var responsible = form.querySelector("#responsible_authority_id");
  var second = form.querySelector("#second_authority_id");
  var current = null;

  function render(data) {
    current = data;
    box.textContent = "";
    var p = document.createElement("p");
    var strong = document.createElement("strong");
    strong.textContent = data.authority_name
      ? box.getAttribute("data-label-suggested") + " " + data.authority_name +
        (data.second_authority_name ? " + " + data.second_authority_name : "")
      : box.getAttribute("data-label-none");
    p.appendChild(strong);
    box.appendChild(p);
    var reason = document.createElement("p");
    reason.className = "small";
    reason.textContent = data.reason;
    box.appendChild(reason);
    if (data.authority_id) {
      var button = document.createElement("button");
      button.type = "button";
      button.id = "accept-suggestion";
      button.className = "button-secondary button";
      button.textContent = box.getAttribute("data-label-accept");
      button.addEventListener("click", function () {
        responsible.value = String(current.authority_id);
        if (current.second_authority_id && second) second.value = String(current.second_authority_id);
        button.textContent = box.getAttribute("data-label-accepted");
        button.disabled = true;
      });
      box.appendChild(button);
    }
  }

  var latest = 0;
  function refresh() {
    var ticket = ++latest;  // answers can arrive out of order: only the newest request may render
    var params = new URLSearchParams({
      inspection_id: form.getAttribute("data-inspection-id"),
      routing_rule_id: theme.value || "",
      checklist_item_id: item ? item.value || "" : "",
      text: (title.value || "") + " " + (description.value || ""),
    });
    fetch(form.getAttribute("data-suggest-url") + "?" + params.toString(), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data && ticket === latest) render(data); })
      .catch(function () { /* offline: the server applies the same rules on save */ });
  }

  // Whether the user changed a field before this script ran (a slow network on a phone): the suggestion shown
  // was rendered for the form's initial values, so it is asked for again.
  function changedFromDefault(el) {
    if (!el) return false;
    if (el.tagName !== "SELECT") return el.value !== el.defaultValue;
    var initial = 0;
    Array.prototype.forEach.call(el.options, function (option, index) {
      if (option.defaultSelected) initial = index;
    });
    return el.selectedIndex !== initial;
  }

  [theme, item].forEach(function (el) { if (el) el.addEventListener("change", refresh); });
  [title, description].forEach(function (el) { if (el) el.addEventListener("blur", refresh); });
  if ([theme, item, title, description].some(changedFromDefault)) refresh();
})();
