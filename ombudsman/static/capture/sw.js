// Service worker of the capture page (served by /capture/sw.js, which prepends CAPTURE_VERSION,
// CAPTURE_PAGE, CAPTURE_ASSETS and CAPTURE_VERSION_HEADER). It keeps the page and its files on the phone as
// one versioned set: the page links its own scripts as `file?v=hash`, and this worker's cache holds exactly
// those URLs and the page of the same CAPTURE_VERSION (the page says its version in a response header).
// A page of a newer version is never stored here; its `?v=` scripts are not in this cache, so they come
// from the network, and the page never runs with another version's script. The newer worker, installed
// meanwhile, stores the newer set. Static files are cache-first, the page network-first with the cached
// copy as fallback. Sending is the page's job, not the worker's: POST requests and the API are untouched.
/* global CAPTURE_VERSION, CAPTURE_PAGE, CAPTURE_ASSETS, CAPTURE_VERSION_HEADER */
"use strict";

var CACHE = "capture-" + CAPTURE_VERSION;
var PAGE_TIMEOUT_MS = 6000;
// Files linked without a version (base.html's) are matched by path; versioned ones by their exact URL.
var ASSET_PATHS = {};
var ASSET_URLS = {};
CAPTURE_ASSETS.forEach(function (url) {
  var full = new URL(url, self.location.href);
  ASSET_URLS[full.href] = url;
  if (!full.searchParams.has("v")) ASSET_PATHS[full.pathname] = url;
});
var PAGE_PATH = new URL(CAPTURE_PAGE, self.location.href).pathname;

function cacheablePage(response) {
  // Only the signed-in page itself, of this worker's version: never a redirect to the login page, an error
  // page, or a page whose scripts are not the ones in this cache.
  return response && response.ok && response.type === "basic" && !response.redirected &&
    response.headers.get(CAPTURE_VERSION_HEADER) === CAPTURE_VERSION;
}

function storePage(cache) {
  return fetch(CAPTURE_PAGE, { credentials: "same-origin", cache: "no-store", redirect: "manual" })
    .then(function (response) {
      if (cacheablePage(response)) return cache.put(CAPTURE_PAGE, response);
      throw new Error("page not cacheable");
    })
    .catch(function () {
      // Offline or signed out while updating: the previous version's page cannot run with these files, so
      // the new set is not taken into use: the install fails and the previous worker stays.
      throw new Error("capture page of version " + CAPTURE_VERSION + " not available");
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
    if (!cacheablePage(response)) {
      // A newer version is out: fetch its worker now, so the newer set is kept for offline use.
      var version = response && response.headers.get(CAPTURE_VERSION_HEADER);
      if (version && version !== CAPTURE_VERSION) self.registration.update().catch(function () {});
      return response;
    }
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
    return cache.match(url, { ignoreVary: true }).then(function (cached) {
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
  } else if (Object.prototype.hasOwnProperty.call(ASSET_URLS, url.href)) {
    event.respondWith(cacheFirst(request, ASSET_URLS[url.href]));
  } else if (!url.searchParams.has("v") && Object.prototype.hasOwnProperty.call(ASSET_PATHS, url.pathname)) {
    event.respondWith(cacheFirst(request, ASSET_PATHS[url.pathname]));
  }
  // Any other version of a file (`?v=` not in this set) goes to the network as it is.
});
