// Sending the outbox: each record with its client UUID, marked sent only on the server's word.
//
// Order: only what depends on what. An inspection goes before its findings and checklist, a finding before
// its photos; a record waits until the one it belongs to has a server id, and is "blocked" while that one
// stays refused. Independent records never wait for each other: a record the server cannot take now (5xx,
// 408, 429, an unreadable answer) gets its own retry time, with jittered exponential back-off, and the round
// goes on with the next one. A failed link (no answer at all) ends the round: the others would fail the same
// way; the round comes back with its own back-off, and any record that gets through resets it and makes the
// records held back by the link due again. The same client UUID makes a repeat harmless: the server answers
// with the record it already has. Any other 4xx marks the record failed with the server's message.
//
// One tab sends at a time: a Web Lock where the browser has them, else a lease in IndexedDB with an expiry
// (renewed while sending, given back at the end), so a closed tab never holds the outbox for long.
(function (global) {
  "use strict";

  var Outbox = global.CaptureOutbox;
  var BASE_DELAY_MS = 4000; // a record's first retry; doubles each time, jittered by ±50 %
  var MAX_DELAY_MS = 5 * 60 * 1000;
  var IDLE_DELAY_MS = 60 * 1000;
  var OFFLINE_DELAY_MS = 30 * 1000;
  var BUSY_DELAY_MS = 5 * 1000; // another tab sends: look again soon, in case it was closed
  var LEASE_TTL_MS = 15 * 1000;
  var LEASE_RENEW_MS = 5 * 1000;
  var REQUEST_TIMEOUT_MS = 30 * 1000;
  var UPLOAD_BYTES_PER_SECOND = 20 * 1024; // a slow rural connection; bigger photos get longer to arrive
  var LATER_AFTER = 1; // retryable failures of the record itself before it shows "coba nanti"

  function Retry(message, kind) { this.message = message; this.kind = kind || "server"; }
  function SessionLost(message) { this.message = message; }

  // The wait before the n-th retry (n >= 1): exponential, capped, and jittered so phones do not come back
  // in step after an outage.
  function backoff(n) {
    var delay = Math.min(BASE_DELAY_MS * Math.pow(2, Math.max(0, n - 1)), MAX_DELAY_MS);
    return Math.round(delay * (0.5 + Math.random()));
  }

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
    this.tabId = Outbox.uuid();
    this.linkFailures = 0;
    this.timer = null;
    this.running = null;
    this.again = false;
    this.session = null;
    this.notice = "";
  }

  // Records whose own retry time is still ahead: shown as "coba nanti".
  CaptureSync.isLater = function (item) {
    return item.state === "waiting" && item.retry_kind === "server" && (item.failures || 0) >= LATER_AFTER &&
      !!item.retry_at && item.retry_at > Date.now();
  };

  CaptureSync.prototype.start = function () {
    var self = this;
    global.addEventListener("online", function () { self.kick(true); });
    global.addEventListener("offline", function () { self.onChange(); });
    global.document.addEventListener("visibilitychange", function () {
      if (global.document.visibilityState === "visible") self.kick(false);
    });
    // Another tab changed the outbox: show it; another tab stopped sending: this one may take over.
    Outbox.onExternalChange(function (what) {
      self.onChange();
      if (what === "released" && !self.running) self.kick(false);
    });
    global.addEventListener("pagehide", function () {
      if (!global.navigator.locks) Outbox.releaseLease(self.tabId).catch(function () {});
    });
    return this.kick(true);
  };

  // Send now; `fresh` forgets every back-off (the network came back, or the inspector asked).
  CaptureSync.prototype.kick = function (fresh) {
    var self = this;
    if (this.timer) { global.clearTimeout(this.timer); this.timer = null; }
    if (this.running) {
      this.again = this.again || (fresh ? "fresh" : true);
      return this.running;
    }
    var ready = Promise.resolve();
    if (fresh) {
      this.linkFailures = 0;
      ready = Outbox.resetSchedules().catch(function () {});
    }
    this.running = ready.then(function () { return self.exclusive(); }).then(null, function (err) {
      // A bug or a storage error must not stop the loop for good; it is shown and retried.
      self.notice = String(err && err.message || err);
      return { outcome: "network" };
    }).then(function (result) {
      self.running = null;
      self.onChange();
      if (self.again) {
        var again = self.again;
        self.again = false;
        return self.kick(again === "fresh");
      }
      self.schedule(result);
      return result.outcome;
    });
    return this.running;
  };

  CaptureSync.prototype.schedule = function (result) {
    var self = this;
    var delay;
    if (result.outcome === "network") {
      this.linkFailures += 1;
      delay = backoff(this.linkFailures);
    } else if (result.outcome === "offline") {
      delay = OFFLINE_DELAY_MS;
    } else if (result.outcome === "busy") {
      delay = BUSY_DELAY_MS;
    } else {
      delay = IDLE_DELAY_MS;
      // The earliest record waiting for its own retry time comes back then, not a minute later.
      if (result.nextDue) delay = Math.max(250, Math.min(delay, result.nextDue - Date.now()));
    }
    this.timer = global.setTimeout(function () { self.timer = null; self.kick(false); }, delay);
  };

  // Only one tab sends at a time (the server would cope with two, but each would re-send the other's).
  CaptureSync.prototype.exclusive = function () {
    var self = this;
    var locks = global.navigator.locks;
    if (locks && locks.request) {
      return locks.request("ombudsman-capture-sync", { ifAvailable: true }, function (lock) {
        return lock ? self.pass() : { outcome: "busy" };
      });
    }
    return Outbox.takeLease(this.tabId, LEASE_TTL_MS).then(function (taken) {
      if (!taken) return { outcome: "busy" };
      var renew = global.setInterval(function () {
        Outbox.takeLease(self.tabId, LEASE_TTL_MS).catch(function () {});
      }, LEASE_RENEW_MS);
      var done = function () {
        global.clearInterval(renew);
        return Outbox.releaseLease(self.tabId).catch(function () {});
      };
      return self.pass().then(function (result) {
        return done().then(function () { return result; });
      }, function (err) {
        return done().then(function () { throw err; });
      });
    });
  };

  CaptureSync.prototype.pass = function () {
    var self = this;
    return Outbox.all().then(function (items) {
      // Only the sender may hold a record "sending": one left so is from a page closed mid-request, and
      // was not confirmed.
      var stale = items.filter(function (i) { return i.state === "sending"; });
      return Promise.all(stale.map(function (i) { return Outbox.update(i.seq, { state: "waiting" }); }))
        .then(function () { return items; });
    }).then(function (items) {
      if (!global.navigator.onLine) return { outcome: "offline" };
      var pending = items.filter(function (i) { return i.state === "waiting" || i.state === "sending"; });
      if (!pending.length) return { outcome: "idle" };
      return self.fetchSession().then(function (session) {
        self.session = session;
        self.notice = "";
        self.onChange();
        return self.sendDue(session);
      });
    }).catch(function (err) {
      if (err instanceof Retry) return { outcome: "network" };
      if (err instanceof SessionLost) {
        self.notice = self.message("session_expired");
        return { outcome: "auth" };
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
          throw new Retry(self.message("server_error", { status: res.status }), "network");
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
      throw new Retry(self.message("network_error"), "network");
    });
  };

  // Where a record goes, or null while the record it belongs to has no server id yet.
  CaptureSync.prototype.urlFor = function (item, byClient) {
    function serverId(clientId) {
      var parent = byClient[clientId];
      return parent && parent.state === "sent" ? parent.server_id : null;
    }
    if (item.kind === "inspection") return this.apiBase + "/inspections";
    if (item.kind === "finding" || item.kind === "checklist") {
      var inspectionId = item.inspection_id || serverId(item.parent_id);
      if (!inspectionId) return null;
      return this.apiBase + "/inspections/" + inspectionId + (item.kind === "finding" ? "/findings" : "/checklist");
    }
    if (item.kind === "photo") {
      var findingId = serverId(item.parent_id);
      return findingId ? this.apiBase + "/findings/" + findingId + "/evidence" : null;
    }
    return null;
  };

  // Send every record that is due, one at a time, re-reading the outbox before each (another tab, or the
  // inspector, may have changed it). Resolves with {outcome: "done", nextDue} or {outcome: "network"}.
  CaptureSync.prototype.sendDue = function (session) {
    var self = this;
    var skipped = {}; // records already handled in this round (a stale "sending" claimed by us, say)

    function pick(items) {
      var byClient = {};
      items.forEach(function (i) { byClient[i.client_id] = i; });
      var now = Date.now();
      var nextDue = null;
      for (var n = 0; n < items.length; n++) {
        var item = items[n];
        if (item.state !== "waiting" && item.state !== "sending") continue;
        if (item.user_id !== session.user_id) continue;
        if (Outbox.blocker(item, byClient)) continue;
        var url = self.urlFor(item, byClient);
        if (!url) continue;
        if (item.retry_at && item.retry_at > now) {
          if (nextDue === null || item.retry_at < nextDue) nextDue = item.retry_at;
          continue;
        }
        if (skipped[item.seq]) {
          // Tried earlier in this round and due again already (its back-off ran out while the others were
          // sent): the next round comes right after this one, not an idle minute later.
          if (nextDue === null || now < nextDue) nextDue = now;
          continue;
        }
        return { item: item, url: url, nextDue: nextDue };
      }
      return { item: null, nextDue: nextDue };
    }

    function next() {
      return Outbox.all().then(function (items) {
        var chosen = pick(items);
        if (!chosen.item) return { outcome: "done", nextDue: chosen.nextDue };
        var item = chosen.item;
        skipped[item.seq] = true;
        return Outbox.claim(item.seq).then(function (claim) {
          // Sent by another tab, or removed by the inspector, since the outbox was read: nothing to do.
          if (!claim.claimed) return next();
          self.onChange();
          return self.sendOne(claim.item, chosen.url, session).then(function (serverRecordId) {
            var done = {
              state: "sent", server_id: serverRecordId, sent_at: new Date().toISOString(), last_error: "",
              retry_at: null, retry_kind: null, failures: 0,
            };
            // The server holds the original now, checked by its SHA-256; the device copy can go.
            if (item.kind === "photo") done.blob = null;
            self.linkFailures = 0;
            // The link works: records held back only because it failed are due again.
            return Outbox.update(item.seq, done).then(function () {
              return Outbox.resetSchedules("network");
            }).then(function () {
              self.onChange();
              return next();
            });
          }, function (err) {
            if (err instanceof SessionLost) {
              return Outbox.update(item.seq, { state: "waiting", last_error: err.message || "" }).then(function () {
                throw err;
              });
            }
            if (err instanceof Retry) {
              var failures = (claim.item.failures || 0) + 1;
              return Outbox.update(item.seq, {
                state: "waiting", last_error: err.message || "", failures: failures,
                retry_kind: err.kind, retry_at: Date.now() + backoff(failures),
              }).then(function () {
                self.onChange();
                if (err.kind === "network") return { outcome: "network" };
                return next();
              });
            }
            var reason = err && err.permanent ? err.message : String(err && err.message || err);
            return Outbox.update(item.seq, { state: "failed", last_error: reason, retry_at: null }).then(function () {
              self.onChange();
              return next();
            });
          });
        });
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

  // A photo whose bytes are no longer on the device (another tab, or an earlier version of this page, saw
  // the server confirm it): ask the server for the finding's evidence, by client UUID or by SHA-256.
  // Resolves with the server's id, or rejects: permanently when the server does not have it.
  CaptureSync.prototype.findOnServer = function (item, url) {
    var self = this;
    function page(n) {
      return self.request(url + "?per_page=100&page=" + n, { method: "GET", cache: "no-store" }, REQUEST_TIMEOUT_MS)
        .then(function (res) {
          if (res.type === "opaqueredirect" || res.status === 401) throw new SessionLost(self.message("session_expired"));
          if (!res.ok) throw new Retry(self.message("server_error", { status: res.status }));
          return res.json().then(function (body) {
            var found = (body.items || []).filter(function (e) {
              return e.client_id === item.client_id || e.sha256 === item.sha256;
            })[0];
            if (found) return found.id;
            if (n < (body.pages || 1)) return page(n + 1);
            throw permanent(self.message("bytes_gone"));
          }, function () { throw new Retry(self.message("bad_response", { status: res.status })); });
        });
    }
    return page(1);
  };

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
      if (!item.blob) return this.findOnServer(item, url);
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
      return res.text().then(function (text) {
        var json = null;
        try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
        if (res.status >= 500 || res.status === 408 || res.status === 429) {
          // The server's reason when it gave one (maintenance, overload), else its status.
          var said = json && (json.error || json.message) ? serverMessage(json, res.status) : "";
          throw new Retry(said || self.message("server_error", { status: res.status }));
        }
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
        throw new Retry(self.message("network_error"), "network");
      });
    });
  };

  global.CaptureSync = CaptureSync;
})(window);
