// Sending the outbox: in order, each record with its client UUID, marked sent only on the server's word.
//
// Order: an inspection before its findings, a finding before its photos; a record waits until the one it
// belongs to has a server id. A network error, a timeout or a 5xx stops the round and retries it later
// with backoff (the same client UUID makes a repeat harmless: the server answers with the record it
// already has). Any other 4xx marks the record failed with the server's message, for the inspector to see.
(function (global) {
  "use strict";

  var Outbox = global.CaptureOutbox;
  var BASE_DELAY_MS = 5000;
  var MAX_DELAY_MS = 5 * 60 * 1000;
  var IDLE_DELAY_MS = 60 * 1000;
  var OFFLINE_DELAY_MS = 30 * 1000;
  var REQUEST_TIMEOUT_MS = 30 * 1000;
  var UPLOAD_BYTES_PER_SECOND = 20 * 1024; // a slow rural connection; bigger photos get longer to arrive

  function Retry(message) { this.message = message; }
  function SessionLost(message) { this.message = message; }
  function Removed() {}

  // [[field, problem], ...] from {"fields": {...}}, nested names joined with dots.
  function fieldMessages(fields, prefix) {
    var out = [];
    if (!fields || typeof fields !== "object") return out;
    Object.keys(fields).forEach(function (key) {
      var value = fields[key];
      var name = prefix ? prefix + "." + key : key;
      if (typeof value === "string") {
        out.push([name, value]);
      } else if (Array.isArray(value) && value.every(function (v) { return typeof v === "string"; })) {
        value.forEach(function (v) { out.push([name, v]); });
      } else {
        out = out.concat(fieldMessages(value, name));
      }
    });
    return out;
  }

  // The server's own words: {"error": ..., "fields": {...}} as one line, without saying a thing twice.
  function serverMessage(body, status) {
    var error = "";
    if (body && typeof body.error === "string") error = body.error;
    else if (body && typeof body.message === "string") error = body.message;
    var parts = error ? [error] : [];
    fieldMessages(body && body.fields).forEach(function (pair) {
      if (pair[1] !== error) parts.push(pair[0] + ": " + pair[1]);
    });
    return parts.length ? parts.join(" \u00b7 ") : "HTTP " + status;
  }

  function CaptureSync(options) {
    this.apiBase = options.apiBase;
    this.sessionUrl = options.sessionUrl;
    this.message = options.message; // (key, vars) -> text in the interface language
    this.onChange = options.onChange || function () {};
    this.failures = 0;
    this.timer = null;
    this.running = null;
    this.again = false;
    this.session = null;
    this.notice = "";
  }

  CaptureSync.prototype.start = function () {
    var self = this;
    global.addEventListener("online", function () { self.kick(true); });
    global.addEventListener("offline", function () { self.onChange(); });
    global.document.addEventListener("visibilitychange", function () {
      if (global.document.visibilityState === "visible") self.kick(false);
    });
    // A page closed in the middle of a request left its record "sending": it was not confirmed.
    return Outbox.all().then(function (items) {
      return Promise.all(items.filter(function (i) { return i.state === "sending"; }).map(function (i) {
        return Outbox.update(i.seq, { state: "waiting" });
      }));
    }).then(function () { self.kick(true); });
  };

  // Send now; `fresh` forgets the backoff (the network came back, or the inspector asked).
  CaptureSync.prototype.kick = function (fresh) {
    if (fresh) this.failures = 0;
    if (this.timer) { global.clearTimeout(this.timer); this.timer = null; }
    if (this.running) { this.again = true; return this.running; }
    var self = this;
    this.running = this.exclusive().then(function (outcome) {
      return outcome;
    }, function (err) {
      // A bug or a storage error must not stop the loop for good; it is shown and retried.
      self.notice = String(err && err.message || err);
      return "retry";
    }).then(function (outcome) {
      self.running = null;
      self.onChange();
      if (self.again) { self.again = false; return self.kick(false); }
      self.schedule(outcome);
      return outcome;
    });
    return this.running;
  };

  CaptureSync.prototype.schedule = function (outcome) {
    var self = this;
    var delay;
    if (outcome === "retry") {
      delay = Math.min(BASE_DELAY_MS * Math.pow(2, this.failures), MAX_DELAY_MS);
      delay = Math.round(delay * (0.8 + Math.random() * 0.4));
      this.failures += 1;
    } else if (outcome === "offline") {
      delay = OFFLINE_DELAY_MS;
    } else {
      if (outcome === "done" || outcome === "idle") this.failures = 0;
      delay = IDLE_DELAY_MS;
    }
    this.timer = global.setTimeout(function () { self.timer = null; self.kick(false); }, delay);
  };

  // Only one tab sends at a time (the server would cope with two, but the outbox display would flicker).
  CaptureSync.prototype.exclusive = function () {
    var self = this;
    if (global.navigator.locks && global.navigator.locks.request) {
      return global.navigator.locks.request("ombudsman-capture-sync", { ifAvailable: true }, function (lock) {
        return lock ? self.pass() : "busy";
      });
    }
    return this.pass();
  };

  CaptureSync.prototype.pass = function () {
    var self = this;
    if (!global.navigator.onLine) return Promise.resolve("offline");
    return Outbox.all().then(function (items) {
      var pending = items.filter(function (i) { return i.state === "waiting" || i.state === "sending"; });
      if (!pending.length) return "idle";
      return self.fetchSession().then(function (session) {
        self.session = session;
        self.notice = "";
        self.onChange();
        return self.sendAll(items, session);
      });
    }).catch(function (err) {
      if (err instanceof Retry) return "retry";
      if (err instanceof SessionLost) {
        self.notice = self.message("session_expired");
        return "auth";
      }
      throw err;
    });
  };

  CaptureSync.prototype.fetchSession = function () {
    var self = this;
    return this.request(this.sessionUrl, { method: "GET", cache: "no-store" }, REQUEST_TIMEOUT_MS)
      .then(function (res) {
        if (res.ok) {
          return res.json().then(function (body) {
            if (!body || typeof body.user_id !== "number" || !body.csrf_token) throw new SessionLost();
            return body;
          }, function () { throw new SessionLost(); });
        }
        if (res.status >= 500 || res.status === 429 || res.status === 408) {
          throw new Retry(self.message("server_error", { status: res.status }));
        }
        throw new SessionLost();
      });
  };

  CaptureSync.prototype.request = function (url, init, timeoutMs) {
    var self = this;
    var controller = global.AbortController ? new global.AbortController() : null;
    var timer = controller ? global.setTimeout(function () { controller.abort(); }, timeoutMs) : null;
    init.credentials = "same-origin";
    // A redirect means the session is gone (the login page), never a confirmation.
    init.redirect = "manual";
    init.headers = Object.assign({ Accept: "application/json" }, init.headers || {});
    if (controller) init.signal = controller.signal;
    return global.fetch(url, init).then(function (res) {
      if (timer) global.clearTimeout(timer);
      return res;
    }, function () {
      if (timer) global.clearTimeout(timer);
      throw new Retry(self.message("network_error"));
    });
  };

  CaptureSync.prototype.sendAll = function (items, session) {
    var self = this;
    var byClient = {};
    items.forEach(function (i) { byClient[i.client_id] = i; });

    function serverId(clientId) {
      var parent = byClient[clientId];
      return parent && parent.state === "sent" ? parent.server_id : null;
    }

    var index = 0;
    function next() {
      if (index >= items.length) return Promise.resolve("done");
      var item = items[index++];
      if (item.state !== "waiting" && item.state !== "sending") return next();
      if (item.user_id !== session.user_id) return next();
      var url;
      if (item.kind === "inspection") {
        url = self.apiBase + "/inspections";
      } else if (item.kind === "finding" || item.kind === "checklist") {
        var inspectionId = item.inspection_id || serverId(item.parent_id);
        if (!inspectionId) return next();
        url = self.apiBase + "/inspections/" + inspectionId + (item.kind === "finding" ? "/findings" : "/checklist");
      } else if (item.kind === "photo") {
        var findingId = serverId(item.parent_id);
        if (!findingId) return next();
        url = self.apiBase + "/findings/" + findingId + "/evidence";
      } else {
        return next();
      }
      return Outbox.update(item.seq, { state: "sending", attempts: (item.attempts || 0) + 1 })
        .then(function (updated) {
          self.onChange();
          // Removed by the inspector in the meantime: nothing to send.
          if (!updated) return Promise.reject(new Removed());
          return self.sendOne(updated, url, session);
        })
        .then(function (serverRecordId) {
          var done = { state: "sent", server_id: serverRecordId, sent_at: new Date().toISOString(), last_error: "" };
          // The server holds the original now, checked by its SHA-256; the device copy can go.
          if (item.kind === "photo") done.blob = null;
          return Outbox.update(item.seq, done);
        }, function (err) {
          if (err instanceof Retry || err instanceof SessionLost) {
            return Outbox.update(item.seq, { state: "waiting", last_error: err.message || "" }).then(function () {
              throw err;
            });
          }
          if (err instanceof Removed) return null;
          var reason = err && err.permanent ? err.message : String(err && err.message || err);
          return Outbox.update(item.seq, { state: "failed", last_error: reason });
        })
        .then(function (updated) {
          if (updated) byClient[updated.client_id] = updated;
          self.onChange();
          return next();
        });
    }
    return next();
  };

  function permanent(message) {
    var err = new Error(message);
    err.permanent = true;
    return err;
  }

  // The checklist the server answered with must hold every answer sent, as sent.
  function confirmAnswers(item, rows, message) {
    var stored = {};
    rows.forEach(function (row) { stored[row.item_id] = row; });
    item.payload.answers.forEach(function (sent) {
      var row = stored[sent.item_id];
      if (!row || row.answer !== sent.answer || row.note !== sent.note) {
        throw permanent(message("checklist_mismatch", { item: sent.item_id }));
      }
    });
    return null;
  }

  // One request; resolves with the server's id for the record, or rejects with Retry, SessionLost or a
  // permanent error carrying the server's message.
  CaptureSync.prototype.sendOne = function (item, url, session) {
    var self = this;
    var headers = { "X-CSRFToken": session.csrf_token, "Idempotency-Key": item.client_id };
    var method = "POST";
    var body;
    var timeout = REQUEST_TIMEOUT_MS;
    var ready;
    if (item.kind === "photo") {
      // Re-read the stored photo: what is sent must be what was photographed.
      ready = Outbox.sha256Hex(item.blob).then(function (sha) {
        if (sha !== item.sha256) throw permanent(self.message("local_damaged"));
        body = new global.FormData();
        body.append("file", item.blob, item.filename);
        body.append("client_id", item.client_id);
        // The server checks the bytes it received against this and stores nothing on a mismatch.
        body.append("sha256", item.sha256);
        timeout += Math.round((item.size || 0) / UPLOAD_BYTES_PER_SECOND) * 1000;
      });
    } else if (item.kind === "checklist") {
      // Answers are a state, not a new record: PUT them again changes nothing, no key needed.
      method = "PUT";
      delete headers["Idempotency-Key"];
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(item.payload);
      ready = Promise.resolve();
    } else {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(Object.assign({}, item.payload, { client_id: item.client_id }));
      ready = Promise.resolve();
    }
    return ready.then(function () {
      return self.request(url, { method: method, headers: headers, body: body }, timeout);
    }).then(function (res) {
      if (res.type === "opaqueredirect" || res.status === 401) throw new SessionLost(self.message("session_expired"));
      if (res.status >= 500 || res.status === 408 || res.status === 429) {
        throw new Retry(self.message("server_error", { status: res.status }));
      }
      return res.text().then(function (text) {
        var json = null;
        try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
        if (res.status === 200 && item.kind === "checklist") {
          if (!json || !Array.isArray(json.items)) throw new Retry(self.message("bad_response", { status: res.status }));
          return confirmAnswers(item, json.items, self.message);
        }
        if (res.status === 200 || res.status === 201) {
          // Anything but our JSON record (a captive portal's page, a proxy) is not a confirmation.
          if (!json || typeof json.id !== "number") {
            throw new Retry(self.message("bad_response", { status: res.status }));
          }
          if (item.kind === "photo" && json.sha256 !== item.sha256) {
            throw permanent(self.message("sha_mismatch", {
              server: String(json.sha256 || "?").slice(0, 12),
              local: item.sha256.slice(0, 12),
            }));
          }
          return json.id;
        }
        if (res.status === 422 && item.kind === "photo" && json && json.fields && json.fields.sha256) {
          // Damaged on the way (the copy on the phone was checked just before sending): send it again.
          throw new Retry(serverMessage(json, res.status));
        }
        if (res.status === 400 && json && json.fields && json.fields["X-CSRFToken"]) {
          // The session changed since the token was read (signed in again): the next round reads a new one.
          throw new Retry(serverMessage(json, res.status));
        }
        throw permanent(serverMessage(json, res.status));
      }, function () {
        throw new Retry(self.message("network_error"));
      });
    });
  };

  global.CaptureSync = CaptureSync;
})(window);
