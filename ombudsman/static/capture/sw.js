// Service worker of the capture page (served by /capture/sw.js, which prepends CAPTURE_VERSION,
// CAPTURE_PAGE and CAPTURE_ASSETS). It keeps the page and its files on the phone:
// static files cache-first (a new version of any of them changes CAPTURE_VERSION, hence a new cache),
// the page network-first with the cached copy as fallback. Sending is the page's job, not the worker's:
// POST requests and the API are never touched here.
/* global CAPTURE_VERSION, CAPTURE_PAGE, CAPTURE_ASSETS */
"use strict";

var CACHE = "capture-" + CAPTURE_VERSION;
var PAGE_TIMEOUT_MS = 6000;
var ASSET_PATHS = {};
CAPTURE_ASSETS.forEach(function (url) { ASSET_PATHS[new URL(url, self.location.href).pathname] = url; });
var PAGE_PATH = new URL(CAPTURE_PAGE, self.location.href).pathname;

function cacheablePage(response) {
  // Only the signed-in page itself: never a redirect to the login page, an error page or another user's.
  return response && response.ok && response.type === "basic" && !response.redirected;
}

function storePage(cache) {
  return fetch(CAPTURE_PAGE, { credentials: "same-origin", cache: "no-store", redirect: "manual" })
    .then(function (response) {
      if (cacheablePage(response)) return cache.put(CAPTURE_PAGE, response);
      throw new Error("page not cacheable");
    })
    .catch(function () {
      // Offline or signed out while updating: carry the copy of the previous version over.
      return caches.match(CAPTURE_PAGE, { ignoreSearch: true, ignoreVary: true }).then(function (old) {
        if (old) return cache.put(CAPTURE_PAGE, old);
      });
    });
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      var requests = CAPTURE_ASSETS.map(function (url) { return new Request(url, { cache: "no-cache" }); });
      return cache.addAll(requests).then(function () { return storePage(cache); });
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("capture-") === 0 && name !== CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function cachedPage() {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(CAPTURE_PAGE, { ignoreSearch: true, ignoreVary: true });
  });
}

function networkFirst(event) {
  var network = fetch(event.request).then(function (response) {
    if (!cacheablePage(response)) return response;
    var copy = response.clone();
    return caches.open(CACHE)
      .then(function (cache) { return cache.put(CAPTURE_PAGE, copy); })
      .catch(function () {})
      .then(function () { return response; });
  });
  // Keep the worker alive until the fresh copy is stored, even when the cached one was served first.
  event.waitUntil(network.catch(function () {}));
  // A connection that neither answers nor fails (one bar of signal) must not keep the inspector waiting.
  var timeout = new Promise(function (resolve) { setTimeout(resolve, PAGE_TIMEOUT_MS); });
  return Promise.race([network.catch(function () { return null; }), timeout]).then(function (response) {
    if (response && response.status < 500) return response;
    return cachedPage().then(function (cached) {
      if (cached) return cached;
      if (response) return response;
      return network; // nothing cached: wait for the network after all, and let it fail if it must
    });
  });
}

function cacheFirst(request, url) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(url, { ignoreSearch: true, ignoreVary: true }).then(function (cached) {
      if (cached) return cached;
      return fetch(request).then(function (response) {
        if (response.ok && response.type === "basic") cache.put(url, response.clone());
        return response;
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === PAGE_PATH) {
    event.respondWith(networkFirst(event));
  } else if (Object.prototype.hasOwnProperty.call(ASSET_PATHS, url.pathname)) {
    event.respondWith(cacheFirst(request, ASSET_PATHS[url.pathname]));
  }
});
