// The outbox: what the inspector recorded on this device, kept in IndexedDB until the server confirms it.
//
// Each item: {seq, client_id, kind: "inspection" | "finding" | "photo", user_id, parent_id (the client_id
// of the record it belongs to), inspection_id (a server id, when the finding belongs to an inspection
// that already exists on the server), payload, blob, filename, content_type, size, sha256, label,
// state: "waiting" | "sending" | "failed" | "sent", attempts, last_error, server_id, created_at, sent_at,
// retry_at (ms since the epoch before which it is not tried again), retry_kind ("server": the server could
// not take this record; "network": the link failed, not the record), failures (in a row, for the back-off)}.
// `seq` (auto-increment) is the order of capture: a record is always stored after the one it belongs to.
// A photo's bytes (`blob`) are dropped once the server has confirmed them by their SHA-256.
//
// The "meta" store holds the sending lease of browsers without Web Locks: {key: "sender", owner, expires}.
// Every change is announced on a BroadcastChannel so that the other tabs show it at once.
(function (global) {
  "use strict";

  var DB_NAME = "ombudsman-capture";
  var DB_VERSION = 2;
  var dbPromise = null;
  var channel = global.BroadcastChannel ? new global.BroadcastChannel("ombudsman-capture") : null;
  var listeners = [];
  if (channel) {
    channel.onmessage = function (event) {
      listeners.forEach(function (fn) { fn(event.data); });
    };
  }

  function announce(what) {
    if (channel) channel.postMessage(what || "changed");
  }

  // fn(message) is called when another tab changed the outbox ("changed") or let go of sending ("released").
  function onExternalChange(fn) { listeners.push(fn); }

  function open() {
    if (dbPromise) return dbPromise;
    dbPromise = new Promise(function (resolve, reject) {
      if (!global.indexedDB) {
        reject(new Error("IndexedDB is not available"));
        return;
      }
      var request = global.indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = function () {
        var db = request.result;
        if (!db.objectStoreNames.contains("outbox")) {
          var store = db.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
          store.createIndex("client_id", "client_id", { unique: true });
        }
        if (!db.objectStoreNames.contains("meta")) db.createObjectStore("meta", { keyPath: "key" });
      };
      request.onsuccess = function () {
        var db = request.result;
        // Another tab opening a newer version must not be blocked by this one.
        db.onversionchange = function () { db.close(); dbPromise = null; };
        resolve(db);
      };
      request.onerror = function () { reject(request.error); };
      request.onblocked = function () { reject(new Error("IndexedDB upgrade blocked by another tab")); };
    });
    return dbPromise;
  }

  // Run fn(store) in one transaction; resolve with fn's result once the transaction has committed,
  // so a caller never reports "saved" for data that did not reach the disk.
  function withStore(mode, fn, storeName) {
    var name = storeName || "outbox";
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(name, mode);
        var result;
        tx.oncomplete = function () {
          if (mode === "readwrite" && name === "outbox") announce("changed");
          resolve(result);
        };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error || new Error("transaction aborted")); };
        try {
          result = fn(tx.objectStore(name));
        } catch (err) {
          tx.abort();
          reject(err);
        }
      });
    });
  }

  function uuid() {
    if (global.crypto && typeof global.crypto.randomUUID === "function") return global.crypto.randomUUID();
    // RFC 4122 version 4 from the same random source, for browsers without randomUUID.
    var b = global.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function sha256Hex(blob) {
    return blob.arrayBuffer().then(function (buffer) {
      return global.crypto.subtle.digest("SHA-256", buffer);
    }).then(function (digest) {
      return Array.prototype.map.call(new Uint8Array(digest), function (x) {
        return (x + 0x100).toString(16).slice(1);
      }).join("");
    });
  }

  function newItem(kind, fields) {
    var item = {
      client_id: uuid(),
      kind: kind,
      state: "waiting",
      attempts: 0,
      last_error: "",
      server_id: null,
      created_at: new Date().toISOString(),
      sent_at: null,
    };
    Object.keys(fields).forEach(function (key) { item[key] = fields[key]; });
    return item;
  }

  // Store several items in one transaction: a finding and its photos are kept together or not at all.
  function addAll(items) {
    return withStore("readwrite", function (store) {
      items.forEach(function (item) { store.add(item); });
      return items;
    });
  }

  function all() {
    return withStore("readonly", function (store) {
      var out = { items: [] };
      var request = store.getAll();
      request.onsuccess = function () { out.items = request.result; };
      return out;
    }).then(function (out) {
      return out.items.sort(function (a, b) { return a.seq - b.seq; });
    });
  }

  // Change an item inside a transaction that re-reads it first, so concurrent edits are not lost.
  function update(seq, changes) {
    return withStore("readwrite", function (store) {
      var out = { item: null };
      var request = store.get(seq);
      request.onsuccess = function () {
        var item = request.result;
        if (!item) return;
        Object.keys(changes).forEach(function (key) { item[key] = changes[key]; });
        store.put(item);
        out.item = item;
      };
      return out;
    }).then(function (out) { return out.item; });
  }

  // Remove an item and everything recorded under it (an inspection's findings, a finding's photos).
  function removeTree(seq) {
    return all().then(function (items) {
      var doomed = {};
      var root = items.filter(function (i) { return i.seq === seq; })[0];
      if (!root) return 0;
      doomed[root.client_id] = true;
      items.forEach(function (i) { if (doomed[i.parent_id]) doomed[i.client_id] = true; });
      var seqs = items.filter(function (i) { return doomed[i.client_id]; }).map(function (i) { return i.seq; });
      return withStore("readwrite", function (store) {
        seqs.forEach(function (s) { store.delete(s); });
        return seqs.length;
      });
    });
  }

  function removeSent() {
    return all().then(function (items) {
      var waitingParents = {};
      items.forEach(function (i) { if (i.state !== "sent" && i.parent_id) waitingParents[i.parent_id] = true; });
      // A sent record whose children still wait keeps the mapping to its server id.
      var seqs = items.filter(function (i) {
        return i.state === "sent" && !waitingParents[i.client_id];
      }).map(function (i) { return i.seq; });
      return withStore("readwrite", function (store) {
        seqs.forEach(function (s) { store.delete(s); });
        return seqs.length;
      });
    });
  }

  // Take a record for sending: only if it still waits (another tab may have sent it meanwhile). Resolves
  // with {item, claimed}: claimed false and the stored item (or null when removed) when it no longer waits.
  function claim(seq) {
    return withStore("readwrite", function (store) {
      var out = { item: null, claimed: false };
      var request = store.get(seq);
      request.onsuccess = function () {
        var item = request.result;
        out.item = item || null;
        if (!item || (item.state !== "waiting" && item.state !== "sending")) return;
        item.state = "sending";
        item.attempts = (item.attempts || 0) + 1;
        store.put(item);
        out.claimed = true;
      };
      return out;
    });
  }

  // Make waiting records due now: all of them, or only those held back by a failed link ("network").
  function resetSchedules(kind) {
    return withStore("readwrite", function (store) {
      var request = store.openCursor();
      request.onsuccess = function () {
        var cursor = request.result;
        if (!cursor) return;
        var item = cursor.value;
        if (item.state === "waiting" && item.retry_at && (!kind || item.retry_kind === kind)) {
          item.retry_at = null;
          if (!kind) item.failures = 0;
          cursor.update(item);
        }
        cursor.continue();
      };
    });
  }

  // The nearest record above this one that the server refused, or null: while it stays refused this record
  // cannot be sent (a photo of a refused finding, a finding of a refused inspection).
  function blocker(item, byClient) {
    var seen = {};
    var parent = item.parent_id ? byClient[item.parent_id] : null;
    while (parent && !seen[parent.client_id]) {
      if (parent.state === "failed") return parent;
      seen[parent.client_id] = true;
      parent = parent.parent_id ? byClient[parent.parent_id] : null;
    }
    return null;
  }

  // The sending lease for browsers without Web Locks: taken when free, expired or already ours.
  function takeLease(owner, ttlMs) {
    return withStore("readwrite", function (store) {
      var out = { taken: false };
      var request = store.get("sender");
      request.onsuccess = function () {
        var lease = request.result;
        var now = Date.now();
        if (lease && lease.owner !== owner && lease.expires > now) return;
        store.put({ key: "sender", owner: owner, expires: now + ttlMs });
        out.taken = true;
      };
      return out;
    }, "meta").then(function (out) { return out.taken; });
  }

  function releaseLease(owner) {
    return withStore("readwrite", function (store) {
      var request = store.get("sender");
      request.onsuccess = function () {
        if (request.result && request.result.owner === owner) store.delete("sender");
      };
    }, "meta").then(function () { announce("released"); });
  }

  global.CaptureOutbox = {
    open: open,
    claim: claim,
    resetSchedules: resetSchedules,
    blocker: blocker,
    takeLease: takeLease,
    releaseLease: releaseLease,
    onExternalChange: onExternalChange,
    uuid: uuid,
    sha256Hex: sha256Hex,
    newItem: newItem,
    addAll: addAll,
    all: all,
    update: update,
    removeTree: removeTree,
    removeSent: removeSent,
  };
})(window);
