// The phone's storage for the outbox: ask that it is kept (never evicted when the disk runs short), and check
// there is room before saving, so a full phone is told what to do instead of failing half-way.
(function (global) {
  "use strict";

  // Room kept free beyond what a save needs: IndexedDB writes a record with some overhead (bytes).
  var MARGIN_BYTES = 2 * 1024 * 1024;

  function storageApi() {
    return global.navigator.storage || null;
  }

  function NoRoom(available, needed) {
    this.available = available; // bytes, never negative
    this.needed = needed; // bytes
    this.message = "no room: " + available + " < " + needed;
  }

  // Whether the browser already keeps the storage persistent: true, false, or null when it cannot say.
  function persisted() {
    var api = storageApi();
    if (!api || !api.persisted) return Promise.resolve(null);
    return api.persisted().catch(function () { return null; });
  }

  // Ask once per page to keep the storage persistent; resolves with the browser's answer (or null).
  var asked = null;
  function persist() {
    var api = storageApi();
    if (!api || !api.persist) return Promise.resolve(null);
    if (!asked) asked = api.persist().catch(function () { return null; });
    return asked;
  }

  // Resolve when `bytes` more fit within the browser's quota for this site, else reject with NoRoom.
  // Browsers without an estimate are let through: their QuotaExceededError is then caught on saving.
  function ensureRoom(bytes) {
    var api = storageApi();
    if (!api || !api.estimate) return Promise.resolve();
    return api.estimate().then(function (estimate) {
      if (!estimate || typeof estimate.quota !== "number") return;
      var available = Math.max(0, estimate.quota - (estimate.usage || 0));
      var needed = bytes + MARGIN_BYTES;
      if (available < needed) throw new NoRoom(available, needed);
    }, function () {});
  }

  // Whether a failed save was for want of space (the name differs between browsers and versions).
  function isFull(err) {
    if (!err) return false;
    if (err instanceof NoRoom) return true;
    return err.name === "QuotaExceededError" || err.name === "NS_ERROR_DOM_QUOTA_REACHED" || err.code === 22;
  }

  global.CaptureStorage = {
    NoRoom: NoRoom,
    persisted: persisted,
    persist: persist,
    ensureRoom: ensureRoom,
    isFull: isFull,
  };
})(window);
