// The capture page: record inspections, findings and photos into the outbox, and show what it holds.
// Every text from the inspector is shown with textContent, never as HTML.
(function (global) {
  "use strict";

  var document = global.document;
  var Outbox = global.CaptureOutbox;
  var Storage = global.CaptureStorage;
  var data = JSON.parse(document.getElementById("capture-data").textContent);
  var messages = JSON.parse(document.getElementById("capture-messages").textContent);
  var SELECTED_KEY = "ombudsman-capture.inspection." + data.user_id;

  function message(key, vars) {
    var text = messages[key] || key;
    Object.keys(vars || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(String(vars[name]));
    });
    return text;
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function fillSelect(select, rows, valueKey, placeholder) {
    select.textContent = "";
    if (placeholder !== undefined) select.appendChild(el("option", { value: "" }, placeholder));
    rows.forEach(function (row) { select.appendChild(el("option", { value: String(row[valueKey]) }, row.name)); });
  }

  function localToday() {
    var now = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());
  }

  function showError(form, text) {
    var box = form.querySelector(".error");
    box.textContent = text || "";
    box.hidden = !text;
  }

  // --- the reference lists, from the page the server rendered (and the service worker kept) ---------------

  var inspectionSelect = document.getElementById("inspection");
  var newInspectionForm = document.getElementById("new-inspection");
  var findingForm = document.getElementById("finding");
  var photoInput = document.getElementById("f-photos");
  var photoList = document.getElementById("f-photo-list");
  var outboxList = document.getElementById("outbox");
  var pendingPhotos = [];
  var items = [];

  fillSelect(document.getElementById("ni-kind"), data.kinds, "code");
  fillSelect(document.getElementById("ni-authority"), data.authorities, "id", "\u2014");
  fillSelect(document.getElementById("f-theme"), data.themes, "id", "\u2014");
  fillSelect(document.getElementById("f-authority"), data.authorities, "id", message("follow_theme"));
  fillSelect(document.getElementById("f-severity"), data.severities, "code");
  document.getElementById("f-severity").value = data.default_severity;
  document.getElementById("ni-date").value = localToday();
  var codes = document.getElementById("f-maladministration");
  data.maladministration.forEach(function (row) {
    var id = "f-mal-" + row.code;
    var li = el("li");
    var box = el("input", { type: "checkbox", id: id, name: "maladministration", value: row.code });
    li.appendChild(box);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(el("label", { for: id }, row.name));
    codes.appendChild(li);
  });

  // --- the inspection picker: server drafts plus inspections opened on this device -------------------------

  function renderInspections() {
    var chosen = inspectionSelect.value || global.localStorage.getItem(SELECTED_KEY) || "";
    inspectionSelect.textContent = "";
    inspectionSelect.appendChild(el("option", { value: "" }, message("choose_inspection")));
    var known = {};
    data.inspections.forEach(function (row) {
      known[row.id] = true;
      inspectionSelect.appendChild(el("option", { value: "server:" + row.id },
        row.title + " \u00b7 " + row.authority + " \u00b7 " + row.visited_on));
    });
    items.filter(function (i) { return i.kind === "inspection" && i.user_id === data.user_id; })
      .forEach(function (i) {
        if (i.server_id && known[i.server_id]) {
          // Already listed by the server: keep the choice pointing at the same inspection.
          if (chosen === "local:" + i.client_id) chosen = "server:" + i.server_id;
          return;
        }
        var note = i.state === "sent" ? "" : " (" + message("pending_label") + ")";
        inspectionSelect.appendChild(el("option", { value: "local:" + i.client_id },
          i.payload.title + " \u00b7 " + i.payload.visited_on + note));
      });
    inspectionSelect.value = chosen;
    if (inspectionSelect.value !== chosen) inspectionSelect.value = "";
  }

  inspectionSelect.addEventListener("change", function () {
    global.localStorage.setItem(SELECTED_KEY, inspectionSelect.value);
    renderChecklist(false);
  });

  function chooseInspection(value) {
    global.localStorage.setItem(SELECTED_KEY, value);
    inspectionSelect.value = value;
    renderInspections();
    renderChecklist(false);
  }

  // Where a record for the chosen inspection belongs: a server id, or the client UUID of an inspection
  // still in the outbox (replaced by its server id once that is known).
  function chosenTarget() {
    var choice = inspectionSelect.value;
    if (!choice) return null;
    if (choice.indexOf("server:") === 0) {
      var id = parseInt(choice.slice(7), 10);
      var row = data.inspections.filter(function (i) { return i.id === id; })[0];
      return { key: choice, parent_id: null, inspection_id: id, checklist_id: row ? row.checklist_id : null,
               answers: row ? row.answers : {} };
    }
    var clientId = choice.slice(6);
    var parent = items.filter(function (i) { return i.client_id === clientId; })[0];
    var sent = parent && parent.state === "sent" && parent.server_id;
    return { key: choice, parent_id: sent ? null : clientId, inspection_id: sent ? parent.server_id : null,
             checklist_id: data.active_checklist_id, answers: {}, client_id: clientId };
  }

  // --- the phone's storage: kept persistent, checked before each save ------------------------------------

  function showPersistence(granted) {
    var status = document.getElementById("storage-status");
    status.setAttribute("data-persisted", granted === null ? "unknown" : String(granted));
    status.textContent = message(granted === null ? "storage_unknown" : granted ? "storage_kept" : "storage_not_kept");
  }

  // At first use, ask that the browser never evicts the outbox to free space, and say what it answered.
  function askPersistence() {
    Storage.persist().then(function (granted) { showPersistence(granted); });
  }

  // The words for a save that failed: plain advice when the phone is full, else the browser's reason.
  function notSaved(err) {
    if (Storage.isFull(err)) {
      var mb = function (bytes) { return (Math.round(bytes / 104857.6) / 10).toLocaleString("id-ID"); };
      return message(err instanceof Storage.NoRoom ? "storage_full_sizes" : "storage_full", {
        available: err.available !== undefined ? mb(err.available) : "",
        needed: err.needed !== undefined ? mb(err.needed) : "",
      });
    }
    return message("not_saved", { reason: err && (err.message || err.name) || err });
  }

  // Save records: check the room first, then write them in one transaction.
  function save(records, extraBytes) {
    var bytes = (extraBytes || 0) + records.reduce(function (sum, r) {
      return sum + (r.size || 0) + JSON.stringify(r.payload || {}).length;
    }, 0);
    askPersistence();
    return Storage.ensureRoom(bytes).then(function () { return Outbox.addAll(records); });
  }

  // `clientIds`: the outbox records just saved; once every one is sent the note says so (renderOutbox).
  function showSaved(form, clientIds) {
    var saved = form.querySelector(".saved");
    saved.textContent = message("saved_local");
    saved.setAttribute("data-client-ids", clientIds.join(" "));
    saved.hidden = false;
    // Where the inspector is looking: the button just tapped is next to it, and it is brought into view.
    saved.scrollIntoView({ block: "nearest" });
  }

  newInspectionForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var f = newInspectionForm.elements;
    var title = f.title.value.trim();
    if (!title) return showError(newInspectionForm, message("need_title"));
    if (!f.authority_id.value) return showError(newInspectionForm, message("need_unit"));
    if (!f.visited_on.value) return showError(newInspectionForm, message("need_date"));
    showError(newInspectionForm, "");
    var item = Outbox.newItem("inspection", {
      user_id: data.user_id,
      parent_id: null,
      label: title,
      payload: {
        title: title,
        kind: f.kind.value,
        authority_id: parseInt(f.authority_id.value, 10),
        visited_on: f.visited_on.value,
        place: f.place.value.trim(),
      },
    });
    save([item]).then(function () {
      newInspectionForm.reset();
      f.visited_on.value = localToday();
      document.getElementById("new-inspection-box").open = false;
      return refresh();
    }).then(function () {
      chooseInspection("local:" + item.client_id);
      sync.kick(false);
    }).catch(function (err) {
      showError(newInspectionForm, notSaved(err));
    });
  });

  // --- the finding form ------------------------------------------------------------------------------------

  function renderPhotos() {
    photoList.textContent = "";
    pendingPhotos.forEach(function (file, index) {
      var li = el("li", {}, file.name + " (" + Math.ceil(file.size / 1024) + " KB) ");
      var button = el("button", { type: "button", class: "linklike" }, message("remove_photo"));
      button.addEventListener("click", function () {
        pendingPhotos.splice(index, 1);
        renderPhotos();
      });
      li.appendChild(button);
      photoList.appendChild(li);
    });
  }

  // --- what the server accepts, checked when the photo is taken -------------------------------------------

  var limits = data.capture_limits;
  var photoRefused = document.getElementById("f-photo-refused");
  // File name suffixes of the accepted types, for files the phone hands over without a type.
  var SUFFIXES = { "image/jpeg": ["jpg", "jpeg"], "image/heif": ["heif", "heic"], "image/heic": ["heic", "heif"] };
  var suffixes = {};
  limits.photo_types.forEach(function (type) {
    (SUFFIXES[type] || [type.split("/")[1]]).forEach(function (s) { suffixes[s] = type; });
  });

  function suffix(name) {
    var dot = name.lastIndexOf(".");
    return dot < 0 ? "" : name.slice(dot + 1).toLowerCase();
  }

  // The pixel size from the photo's header, without drawing it; null when the browser cannot read the type
  // (HEIC on most browsers: the server reads it), rejects when the file is not a readable image.
  function dimensions(file) {
    if (!/^image\/(jpeg|png|webp)$/.test(file.type)) return Promise.resolve(null);
    return new Promise(function (resolve, reject) {
      var url = global.URL.createObjectURL(file);
      var img = new global.Image();
      img.onload = function () { global.URL.revokeObjectURL(url); resolve([img.naturalWidth, img.naturalHeight]); };
      img.onerror = function () { global.URL.revokeObjectURL(url); reject(new Error("unreadable")); };
      img.src = url;
    });
  }

  // Resolves with null when the server will take the photo, else with the reason it will not.
  function checkPhoto(file) {
    var type = file.type || suffixes[suffix(file.name)] || "";
    if (limits.photo_types.indexOf(type) < 0) {
      return Promise.resolve(message("photo_type", { type: file.type || suffix(file.name) || "?" }));
    }
    if (!file.size) return Promise.resolve(message("photo_empty"));
    if (file.size > limits.max_bytes) {
      return Promise.resolve(message("photo_bytes", {
        size: Math.ceil(file.size / 1048576), limit: Math.floor(limits.max_bytes / 1048576),
      }));
    }
    var maxPixels = (limits.max_pixels || {})[type] || limits.hard_max_pixels;
    return dimensions(file).then(function (size) {
      if (size && size[0] * size[1] > maxPixels) {
        return message("photo_pixels", { width: size[0], height: size[1], limit: (Math.floor(maxPixels / 1e5) / 10).toLocaleString("id-ID") });
      }
      return null;
    }, function () { return message("photo_unreadable"); });
  }

  // The camera gives one photo per tap: collect the ones the server will take, say at once which it will
  // not and why, and free the input for the next one.
  photoInput.addEventListener("change", function () {
    var files = Array.prototype.slice.call(photoInput.files);
    photoInput.value = "";
    Promise.all(files.map(function (file) {
      return checkPhoto(file).then(function (reason) { return { file: file, reason: reason }; });
    })).then(function (checked) {
      var refused = [];
      checked.forEach(function (c) {
        if (c.reason) refused.push(message("photo_refused", { name: c.file.name, reason: c.reason }));
        else pendingPhotos.push(c.file);
      });
      photoRefused.textContent = refused.join(" ");
      photoRefused.hidden = !refused.length;
      renderPhotos();
    });
  });

  // --- the routing suggestion, as on the full finding form ------------------------------------------------
  // Online and for an inspection the server knows, the server's rules say who is responsible; the inspector
  // accepts it in one tap or picks another authority. Offline, the theme alone is enough: the server applies
  // the same rules when the finding arrives.

  var suggestionBox = document.getElementById("f-suggestion");
  var authoritySelect = document.getElementById("f-authority");
  var suggestionTicket = 0;

  function renderSuggestion(suggestion, note) {
    suggestionBox.textContent = "";
    suggestionBox.hidden = !suggestion && !note;
    if (note) suggestionBox.appendChild(el("p", { class: "small" }, note));
    if (!suggestion) return;
    suggestionBox.appendChild(el("p", {}, suggestion.authority_name
      ? message("suggested") + " " + suggestion.authority_name : message("no_suggestion")));
    suggestionBox.appendChild(el("p", { class: "small" }, suggestion.reason));
    if (!suggestion.authority_id) return;
    var accept = el("button", { type: "button", id: "accept-suggestion", class: "button-secondary" },
      message("accept_suggestion"));
    accept.addEventListener("click", function () {
      authoritySelect.value = String(suggestion.authority_id);
      accept.textContent = message("suggestion_accepted");
      accept.disabled = true;
    });
    suggestionBox.appendChild(accept);
  }

  function refreshSuggestion() {
    var ticket = ++suggestionTicket; // answers may arrive out of order: only the newest may render
    var target = editing ? { inspection_id: editing.inspection_id } : chosenTarget();
    var theme = findingForm.elements.routing_rule_id.value;
    if (!theme) return renderSuggestion(null);
    if (!target || !target.inspection_id || !global.navigator.onLine) {
      return renderSuggestion(null, message("suggestion_later"));
    }
    var params = new URLSearchParams({
      inspection_id: String(target.inspection_id),
      routing_rule_id: theme,
      text: findingForm.elements.title.value + " " + findingForm.elements.description.value,
    });
    global.fetch(data.suggest_url + "?" + params.toString(), { credentials: "same-origin", redirect: "manual" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (answer) {
        if (ticket !== suggestionTicket) return;
        renderSuggestion(answer, answer ? "" : message("suggestion_later"));
      }, function () {
        if (ticket === suggestionTicket) renderSuggestion(null, message("suggestion_later"));
      });
  }
  findingForm.elements.routing_rule_id.addEventListener("change", refreshSuggestion);

  // A finding the server refused (say, no authority could be routed) is corrected here and queued again
  // under the same client UUID: the server stored nothing for it, so the UUID is still free.
  var editing = null;
  var saveButton = document.getElementById("save-finding");

  function clearFindingForm() {
    findingForm.reset();
    document.getElementById("f-severity").value = data.default_severity;
    pendingPhotos = [];
    photoRefused.hidden = true;
    renderPhotos();
    renderSuggestion(null);
  }

  function stopEditing() {
    editing = null;
    document.getElementById("f-editing").hidden = true;
    saveButton.textContent = message("save_finding");
  }

  function startEditing(item) {
    clearFindingForm();
    editing = item;
    var f = findingForm.elements;
    f.title.value = item.payload.title;
    f.description.value = item.payload.description || "";
    f.routing_rule_id.value = item.payload.routing_rule_id ? String(item.payload.routing_rule_id) : "";
    f.responsible_authority_id.value = item.payload.responsible_authority_id
      ? String(item.payload.responsible_authority_id) : "";
    f.severity.value = item.payload.severity;
    findingForm.querySelectorAll("input[name=maladministration]").forEach(function (box) {
      box.checked = item.payload.maladministration.indexOf(box.value) >= 0;
    });
    var banner = document.getElementById("f-editing");
    banner.querySelector("span").textContent = message("editing", { title: item.payload.title });
    banner.hidden = false;
    saveButton.textContent = message("save_changes");
    findingForm.querySelector(".saved").hidden = true;
    showError(findingForm, item.last_error);
    findingForm.scrollIntoView();
    f.title.focus();
  }

  document.getElementById("cancel-edit").addEventListener("click", function () {
    stopEditing();
    clearFindingForm();
    showError(findingForm, "");
  });

  findingForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var f = findingForm.elements;
    var saved = findingForm.querySelector(".saved");
    saved.hidden = true;
    var target = editing ? {} : chosenTarget();
    var title = f.title.value.trim();
    if (!target) return showError(findingForm, message("need_inspection"));
    if (!title) return showError(findingForm, message("need_title"));
    // Without a theme or an authority the server may find no one responsible, long after the site visit.
    if (!f.routing_rule_id.value && !f.responsible_authority_id.value) {
      return showError(findingForm, message("need_routing"));
    }
    showError(findingForm, "");
    saveButton.disabled = true;

    var maladministration = Array.prototype.filter.call(
      findingForm.querySelectorAll("input[name=maladministration]"), function (box) { return box.checked; }
    ).map(function (box) { return box.value; });
    var payload = {
      title: title,
      description: f.description.value.trim(),
      routing_rule_id: f.routing_rule_id.value ? parseInt(f.routing_rule_id.value, 10) : null,
      responsible_authority_id: f.responsible_authority_id.value ? parseInt(f.responsible_authority_id.value, 10) : null,
      maladministration: maladministration,
      severity: f.severity.value,
    };
    var edited = editing;
    var finding = edited || Outbox.newItem("finding", {
      user_id: data.user_id,
      parent_id: target.parent_id,
      inspection_id: target.inspection_id,
      label: title,
      payload: payload,
    });
    var photos = pendingPhotos.slice();
    var savedIds = [];
    // Hash every photo first: IndexedDB transactions cannot wait for other work.
    Promise.all(photos.map(function (file) {
      var blob = file.slice(0, file.size, file.type);
      return Outbox.sha256Hex(blob).then(function (sha) {
        return Outbox.newItem("photo", {
          user_id: data.user_id,
          parent_id: finding.client_id,
          label: file.name,
          blob: blob,
          filename: file.name,
          content_type: file.type,
          size: file.size,
          sha256: sha,
        });
      });
    })).then(function (photoItems) {
      savedIds = [finding.client_id].concat(photoItems.map(function (p) { return p.client_id; }));
      if (!edited) return save([finding].concat(photoItems));
      return save(photoItems).then(function () {
        return Outbox.update(edited.seq, {
          payload: payload, label: title, state: "waiting", last_error: "", retry_at: null, failures: 0,
        });
      });
    }).then(function () {
      stopEditing();
      clearFindingForm();
      showSaved(findingForm, savedIds);
      return refresh();
    }).then(function () {
      sync.kick(false);
    }).catch(function (err) {
      // Nothing was written: the form keeps the inspector's text and photos.
      showError(findingForm, notSaved(err));
      findingForm.querySelector(".error").scrollIntoView({ block: "nearest" });
    }).then(function () {
      saveButton.disabled = false;
    });
  });

  // --- the checklist ---------------------------------------------------------------------------------------

  var checklistForm = document.getElementById("checklist");
  var checklistRows = document.getElementById("checklist-rows");
  var checklistNone = document.getElementById("checklist-none");
  var checklistFor = null; // the inspection the rows show; re-drawn only when the choice changes
  var touched = {};

  // The answers as they will be once the outbox is sent: the page's, then the device's, oldest first.
  function currentAnswers(target) {
    var answers = {};
    Object.keys(target.answers || {}).forEach(function (id) { answers[id] = target.answers[id]; });
    items.forEach(function (i) {
      if (i.kind !== "checklist" || i.state === "failed") return;
      var same = (target.inspection_id && i.inspection_id === target.inspection_id) ||
        (i.parent_id && (i.parent_id === target.parent_id || i.parent_id === target.client_id));
      if (!same) return;
      i.payload.answers.forEach(function (a) { answers[String(a.item_id)] = [a.answer, a.note]; });
    });
    return answers;
  }

  function renderChecklist(force) {
    var target = chosenTarget();
    var key = target ? target.key : "";
    if (!force && key === checklistFor) return;
    checklistFor = key;
    touched = {};
    checklistRows.textContent = "";
    var rows = target && target.checklist_id ? data.checklists[String(target.checklist_id)] || [] : [];
    checklistForm.hidden = !rows.length;
    checklistNone.hidden = !!rows.length;
    checklistNone.textContent = message(target ? "checklist_missing" : "checklist_choose");
    if (!rows.length) return;
    var answers = currentAnswers(target);
    var group = null;
    rows.forEach(function (row) {
      if (row.group !== group) {
        group = row.group;
        checklistRows.appendChild(el("h3", {}, group));
      }
      var current = answers[String(row.id)] || ["not_assessed", ""];
      var box = el("div", { class: "checklist-row", "data-item-id": String(row.id) });
      box.appendChild(el("div", {}, row.label));
      var choices = el("div", { class: "answers" });
      data.answers.forEach(function (answer) {
        var id = "ck-" + row.id + "-" + answer.code;
        var label = el("label", { for: id });
        var radio = el("input", { type: "radio", id: id, name: "ck-" + row.id, value: answer.code });
        radio.checked = answer.code === current[0];
        label.appendChild(radio);
        label.appendChild(document.createTextNode(" " + answer.name));
        choices.appendChild(label);
      });
      box.appendChild(choices);
      var note = el("input", { type: "text", id: "ck-note-" + row.id, maxlength: "2000", placeholder: message("note") });
      note.value = current[1] || "";
      box.appendChild(note);
      checklistRows.appendChild(box);
    });
  }

  function markTouched(event) {
    var row = event.target.closest(".checklist-row");
    if (row) touched[row.getAttribute("data-item-id")] = true;
    checklistForm.querySelector(".saved").hidden = true;
  }
  checklistForm.addEventListener("change", markTouched);
  checklistForm.addEventListener("input", markTouched);

  checklistForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var target = chosenTarget();
    if (!target) return showError(checklistForm, message("need_inspection"));
    var ids = Object.keys(touched);
    if (!ids.length) return showError(checklistForm, message("checklist_unchanged"));
    showError(checklistForm, "");
    var answers = ids.map(function (id) {
      var checked = checklistForm.querySelector("input[name='ck-" + id + "']:checked");
      return {
        item_id: parseInt(id, 10),
        answer: checked ? checked.value : "not_assessed",
        note: document.getElementById("ck-note-" + id).value.trim(),
      };
    });
    var item = Outbox.newItem("checklist", {
      user_id: data.user_id,
      parent_id: target.parent_id,
      inspection_id: target.inspection_id,
      label: message("checklist_label", { n: answers.length }),
      payload: { answers: answers },
    });
    save([item]).then(function () {
      touched = {};
      showSaved(checklistForm, [item.client_id]);
      return refresh();
    }).then(function () {
      sync.kick(false);
    }).catch(function (err) {
      showError(checklistForm, notSaved(err));
    });
  });

  // --- the outbox ------------------------------------------------------------------------------------------

  // What the inspector sees: the stored state, with "blocked" (a record above it was refused) and "later"
  // (the server could not take it; it is tried again by itself) told apart from plain waiting.
  function shownState(item, byClient) {
    if (item.state === "waiting" || item.state === "sending") {
      if (Outbox.blocker(item, byClient)) return "blocked";
      if (item.state === "waiting" && global.CaptureSync.isLater(item)) return "later";
    }
    return item.state;
  }

  function clock(ms) {
    var d = new Date(ms);
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
  }

  function stateText(item, state, byClient) {
    if (state === "sent") return message("sent");
    if (state === "failed") return message("failed", { reason: item.last_error });
    if (state === "sending") return message("sending");
    if (state === "later") return message("later", { reason: item.last_error });
    if (state === "blocked") {
      var parent = Outbox.blocker(item, byClient);
      return message("blocked_by", { parent: message("kind_" + parent.kind) + " \u201c" + parent.label + "\u201d" });
    }
    return message("waiting");
  }

  function noteText(item, state) {
    if (state === "later") {
      return message("attempts", { n: item.attempts }) + " \u00b7 " + message("retry_at", { time: clock(item.retry_at) });
    }
    if (state !== "waiting") return "";
    if (item.user_id !== data.user_id) return message("other_user");
    if (item.last_error) return item.last_error + " \u00b7 " + message("attempts", { n: item.attempts });
    return "";
  }

  var laterTimer = null;
  function renderOutbox() {
    var byClient = {};
    items.forEach(function (i) { byClient[i.client_id] = i; });
    outboxList.textContent = "";
    var counts = { waiting: 0, later: 0, blocked: 0, failed: 0, sent: 0 };
    var nextLater = null;
    items.forEach(function (item) {
      var state = shownState(item, byClient);
      counts[state === "sending" ? "waiting" : state] += 1;
      if (state === "later" && (nextLater === null || item.retry_at < nextLater)) nextLater = item.retry_at;
      var li = el("li", {
        class: "outbox-item outbox-" + item.kind,
        "data-kind": item.kind,
        "data-state": state,
        "data-client-id": item.client_id,
      });
      var head = el("div", { class: "outbox-head" });
      head.appendChild(el("span", { class: "outbox-kind" }, message("kind_" + item.kind)));
      head.appendChild(el("span", { class: "outbox-label" }, item.label));
      li.appendChild(head);
      li.appendChild(el("div", { class: "state state-" + state }, stateText(item, state, byClient)));
      var note = noteText(item, state);
      if (note) li.appendChild(el("div", { class: "small muted outbox-note" }, note));
      if (item.state === "failed" || item.state === "waiting") {
        var actions = el("div", { class: "outbox-actions" });
        if (item.state === "failed" && item.kind === "finding") {
          var edit = el("button", { type: "button", class: "button-secondary edit" }, message("edit"));
          edit.addEventListener("click", function () { startEditing(item); });
          actions.appendChild(edit);
        }
        if (item.state === "failed") {
          var retry = el("button", { type: "button", class: "button-secondary retry" }, message("retry"));
          retry.addEventListener("click", function () {
            Outbox.update(item.seq, { state: "waiting", last_error: "" }).then(refresh).then(function () {
              sync.kick(true);
            });
          });
          actions.appendChild(retry);
        }
        var remove = el("button", { type: "button", class: "linklike remove" }, message("remove"));
        remove.addEventListener("click", function () {
          if (!global.confirm(message("confirm_remove"))) return;
          if (editing && editing.seq === item.seq) {
            stopEditing();
            clearFindingForm();
          }
          Outbox.removeTree(item.seq).then(refresh);
        });
        actions.appendChild(remove);
        li.appendChild(actions);
      }
      outboxList.appendChild(li);
    });
    if (!items.length) outboxList.appendChild(el("li", { class: "muted" }, message("no_items")));
    var summary = message("counts", counts);
    if (counts.later) summary += " \u00b7 " + message("counts_later", { n: counts.later });
    if (counts.blocked) summary += " \u00b7 " + message("counts_blocked", { n: counts.blocked });
    var countsBox = document.getElementById("outbox-counts");
    countsBox.textContent = summary;
    Object.keys(counts).forEach(function (key) { countsBox.setAttribute("data-" + key, String(counts[key])); });
    // The same figures at the top of the page, where the inspector looks first.
    document.getElementById("outbox-summary").textContent = items.length ? summary : "";
    // A "coba nanti" record turns back to waiting when its time comes: show that without a tap.
    if (laterTimer) global.clearTimeout(laterTimer);
    laterTimer = nextLater ? global.setTimeout(renderOutbox, Math.max(250, nextLater - Date.now() + 50)) : null;
    // A "saved on this phone" note turns into "sent" once what it was about reached the office.
    document.querySelectorAll(".saved[data-client-ids]").forEach(function (saved) {
      if (saved.hidden) return;
      var ids = saved.getAttribute("data-client-ids").split(" ").filter(Boolean);
      var arrived = ids.every(function (id) { return !byClient[id] || byClient[id].state === "sent"; });
      if (arrived) saved.textContent = message("saved_sent");
    });
    var notice = document.getElementById("outbox-notice");
    notice.textContent = sync.notice;
    notice.hidden = !sync.notice;
  }

  function renderNetwork() {
    var status = document.getElementById("net-status");
    var online = global.navigator.onLine;
    status.textContent = message(online ? "online" : "offline");
    status.setAttribute("data-online", online ? "true" : "false");
    status.className = "badge " + (online ? "badge-online" : "badge-offline");
  }

  var refreshing = null;
  var refreshAgain = false;
  function refresh() {
    if (refreshing) { refreshAgain = true; return refreshing; }
    refreshing = Outbox.all().then(function (rows) {
      items = rows;
      renderInspections();
      renderChecklist(false);
      renderOutbox();
      renderNetwork();
    }).catch(function (err) {
      var notice = document.getElementById("outbox-notice");
      notice.textContent = notSaved(err);
      notice.hidden = false;
    }).then(function () {
      refreshing = null;
      if (refreshAgain) { refreshAgain = false; return refresh(); }
    });
    return refreshing;
  }

  var sync = new global.CaptureSync({
    apiBase: data.api_base,
    sessionUrl: data.session_url,
    message: message,
    onChange: refresh,
  });

  document.getElementById("send-now").addEventListener("click", function () { sync.kick(true); });
  document.getElementById("clear-sent").addEventListener("click", function () {
    Outbox.removeSent().then(refresh);
  });
  global.addEventListener("online", renderNetwork);
  global.addEventListener("offline", renderNetwork);

  // --- offline availability --------------------------------------------------------------------------------

  function markReady() {
    var status = document.getElementById("sw-status");
    status.textContent = message("offline_ready");
    status.setAttribute("data-ready", "true");
  }

  // Ready offline once the worker of this page's version controls it: that worker has this very page and its
  // files in its cache (an older worker may still serve the page until the new one takes over).
  function checkReady() {
    var controller = global.navigator.serviceWorker.controller;
    var version = controller ? new URL(controller.scriptURL).searchParams.get("v") : null;
    var status = document.getElementById("sw-status");
    status.setAttribute("data-version", version || "");
    if (version === data.version) markReady();
  }

  if ("serviceWorker" in global.navigator) {
    global.navigator.serviceWorker.register(data.sw_url, { scope: data.scope }).catch(function () {});
    global.navigator.serviceWorker.addEventListener("controllerchange", checkReady);
    global.navigator.serviceWorker.ready.then(checkReady);
  } else {
    document.getElementById("sw-status").textContent = message("offline_unsupported");
  }

  Storage.persisted().then(showPersistence);
  renderNetwork();
  refresh().then(function () { return sync.start(); });
})(window);
