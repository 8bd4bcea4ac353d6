// kindstep's service worker, served at /sw.js by kindstep/web/phone_views.py, which puts
// `self.KINDSTEP` in front of this file: the cache's version (a hash of every static file),
// the static files and the pages to keep. What it does:
// - keeps the app's files and a few pages (Today, Log, Help now for the person's country,
//   the offline and install pages) in one cache named by the version; a new kindstep
//   brings a new version, and the old cache is let go once the new one is complete;
// - pages: the network first, the kept copy when there is no connection (marked, so the
//   page can say it is the last one kindstep had), else the offline page;
// - static files: the kept copy first (the version changes whenever one of them does);
// - entries made offline wait in IndexedDB (outbox.js), never in the cache, so a new
//   version cannot lose them; a background sync sends them when the connection is back.
/* global self, caches, importScripts */
"use strict";

var CFG = self.KINDSTEP;
var CACHE = CFG.version;
importScripts(CFG.shell.filter(function (u) { return /\/outbox\.js$/.test(u); })[0]);
// Reminders by web push: showing them and opening Today when one is tapped (sw-push.js).
importScripts(CFG.shell.filter(function (u) { return /\/sw-push\.js$/.test(u); })[0]);

function pathOf(url) { return new URL(url, self.location.origin).pathname; }

// A response kept with the time it was kept, for "the last Today kindstep had".
function stamped(response) {
  var headers = new Headers(response.headers);
  headers.set("X-Kindstep-Kept-At", new Date().toISOString());
  return response.blob().then(function (body) {
    return new Response(body, { status: response.status, statusText: response.statusText, headers: headers });
  });
}

function keep(cache, url) {
  return fetch(url, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
    if (!response.ok || response.redirected) return false;
    return stamped(response).then(function (copy) { return cache.put(url, copy); }).then(function () { return true; });
  });
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(CFG.shell).then(function () {
      // Help now and the offline page must be there; the others are kept when they can be
      // (in server mode before signing in, Today answers with the sign-in page).
      return Promise.all(CFG.pages.map(function (url) {
        var needed = url === CFG.help || url === CFG.offline;
        return keep(cache, url).then(function (kept) {
          if (needed && !kept) throw new Error("kindstep could not keep " + url);
        }, function (error) { if (needed) throw error; });
      }));
    });
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("kindstep-") === 0 && name !== CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

// Pages kept when visited: the ones kept from the start, and the Move page of each choice.
function keptOnVisit(url) {
  if (url.pathname === CFG.move) return true;
  return !url.search && CFG.pages.indexOf(url.pathname) !== -1;
}

// The kept copy of a page for when there is no connection, marked for offline.js.
function fromCache(request) {
  var url = new URL(request.url);
  return caches.open(CACHE).then(function (cache) {
    return cache.match(request, { ignoreVary: true }).then(function (found) {
      return found || cache.match(url.pathname, { ignoreVary: true, ignoreSearch: url.pathname !== CFG.move });
    }).then(function (found) {
      return found || cache.match(CFG.offline, { ignoreVary: true });
    });
  }).then(function (found) {
    if (!found) return Response.error();
    var kept = found.headers.get("X-Kindstep-Kept-At") || "";
    return found.text().then(function (html) {
      var marker = '<div hidden id="kept-copy" data-kept-at="' + kept.replace(/[^0-9TZ:.-]/g, "") + '"></div>';
      html = html.replace('<main id="main" tabindex="-1">', '<main id="main" tabindex="-1">' + marker);
      return new Response(html, { status: 200, headers: { "Content-Type": "text/html; charset=utf-8" } });
    });
  });
}

function page(event, url) {
  return fetch(event.request).then(function (response) {
    var html = (response.headers.get("Content-Type") || "").indexOf("text/html") === 0;
    if (response.ok && html && !response.redirected && keptOnVisit(url)) {
      var copy = response.clone();
      event.waitUntil(stamped(copy).then(function (kept) {
        return caches.open(CACHE).then(function (cache) { return cache.put(url.href, kept); });
      }));
    }
    return response;
  }, function () { return fromCache(event.request); });
}

// After the country may have changed (Settings, the first visit's question, a safety box),
// keep Help now afresh, so the lines kept for offline are the person's country's.
function refreshHelp() {
  return caches.open(CACHE).then(function (cache) { return keep(cache, CFG.help); }).catch(function () {});
}

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method !== "GET") {
    if (CFG.country_changes.indexOf(url.pathname) !== -1) {
      event.respondWith(fetch(request).then(function (response) {
        event.waitUntil(refreshHelp());
        return response;
      }));
    }
    return;  // every other form goes straight to the network; offline.js keeps it if it cannot
  }
  if (url.pathname === pathOf(self.location.href)) return;
  if (CFG.shell.indexOf(url.pathname) !== -1) {
    event.respondWith(caches.match(request, { ignoreSearch: true }).then(function (found) {
      return found || fetch(request);
    }));
    return;
  }
  var html = (request.headers.get("Accept") || "").indexOf("text/html") !== -1;
  if (request.mode === "navigate" || request.headers.get("HX-Request") || html) {
    event.respondWith(page(event, url));
  }
});

// Pages offline.js asks to keep now (the Move pages of Today's choices).
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "keep" && Array.isArray(data.urls)) {
    event.waitUntil(caches.open(CACHE).then(function (cache) {
      return Promise.all(data.urls.filter(function (u) {
        return keptOnVisit(new URL(u, self.location.origin));
      }).slice(0, 8).map(function (u) { return keep(cache, u).catch(function () {}); }));
    }));
  } else if (data.type === "version" && event.ports[0]) {
    event.ports[0].postMessage(CACHE);
  }
});

function tellPages(outcome) {
  return self.clients.matchAll({ type: "window" }).then(function (pages) {
    pages.forEach(function (client) { client.postMessage({ type: "sent", outcome: outcome }); });
  });
}

// Background sync (where the browser has it): send what waits once the connection is back,
// even with no kindstep page open.
self.addEventListener("sync", function (event) {
  if (event.tag !== "kindstep-waiting") return;
  event.waitUntil(self.kindstepOutbox.flush("").then(function (outcome) {
    if (outcome.waiting) throw new Error("still waiting");  // the browser tries again later
    return tellPages(outcome);
  }));
});
