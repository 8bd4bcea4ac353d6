// kindstep's outbox: entries made without a connection, kept on this device in IndexedDB
// until they are sent. Shared by the pages (offline.js) and the service worker (sw.js, by
// importScripts), so both send the same way. Each entry carries the id the device made for
// it (crypto.randomUUID), and kindstep stores each id once: sending twice adds nothing.
(function (scope) {
  "use strict";
  var NAME = "kindstep-offline", STORE = "waiting";

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(NAME, 1);
      request.onupgradeneeded = function () { request.result.createObjectStore(STORE, { keyPath: "id" }); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function run(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode), result;
        var store = tx.objectStore(STORE);
        var request = work(store);
        if (request) request.onsuccess = function () { result = request.result; };
        tx.oncomplete = function () { db.close(); resolve(result); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function all() {
    return run("readonly", function (store) { return store.getAll(); }).then(function (rows) {
      return (rows || []).sort(function (a, b) { return a.made_at - b.made_at; });
    });
  }

  function put(entry) { return run("readwrite", function (store) { return store.put(entry); }); }
  function remove(id) { return run("readwrite", function (store) { return store.delete(id); }); }

  // Send one entry as its form would have: "saved" (or already saved), "refused" (the
  // answer needs another look), or "waiting" (no connection, or the server could not take
  // it now). `token` is a fresher form token when the caller has one.
  function send(entry, token) {
    var body = new URLSearchParams();
    entry.fields.forEach(function (pair) {
      body.append(pair[0], pair[0] === "csrfmiddlewaretoken" && token ? token : pair[1]);
    });
    return fetch(entry.action, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-Kindstep-Outbox": "1" },
    }).then(function (response) {
      if (response.ok) return { state: "saved", url: response.url };
      if (response.status === 422) return { state: "refused" };
      return { state: "waiting", status: response.status };
    }, function () { return { state: "waiting" }; });
  }

  // Send every waiting entry in the order made, stopping at the first that must wait.
  // Saved and refused entries leave the outbox; `report` hears of each.
  var busy = null;
  function flush(token, report) {
    if (busy) return busy;
    busy = all().then(function (entries) {
      var outcome = { saved: 0, refused: [], waiting: 0, help: "" };
      var chain = Promise.resolve(true);
      entries.forEach(function (entry) {
        chain = chain.then(function (going) {
          if (!going) { outcome.waiting++; return false; }
          return send(entry, token).then(function (answer) {
            if (answer.state === "waiting") { outcome.waiting++; return false; }
            if (answer.state === "saved") {
              outcome.saved++;
              if (answer.url && answer.url.indexOf("stop=1") !== -1) outcome.help = answer.url;
            } else {
              outcome.refused.push(entry.summary);
            }
            if (report) report(entry, answer);
            return remove(entry.id).then(function () { return true; });
          });
        });
      });
      return chain.then(function () { return outcome; });
    });
    return busy.then(function (outcome) { busy = null; return outcome; },
                     function (error) { busy = null; throw error; });
  }

  scope.kindstepOutbox = { all: all, put: put, remove: remove, flush: flush };
})(self);
