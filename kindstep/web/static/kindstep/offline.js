// kindstep without a connection. It only adds to the pages: without JavaScript every form
// posts as it always did.
// - Registers the service worker (/sw.js) that keeps the app's files, Today, Log and Help now.
// - The check-in, Log, Rest and Move forms (marked data-offline) get an id made on this
//   device for each entry. With no connection (or when sending fails) the entry is kept in
//   IndexedDB (outbox.js), shown as "waiting to be saved", and sent when the connection is
//   back: on the online event, on every page load, and by the service worker's background
//   sync where the browser has it. kindstep stores each id once, so nothing is doubled.
// - A page the service worker served from its kept copy says so, and when it was kept.
(function () {
  "use strict";
  var outbox = self.kindstepOutbox;
  var script = document.currentScript;
  var config = { sw: script && script.dataset.sw, scope: script && script.dataset.scope,
                 help: script && script.dataset.help };

  function newId() {
    if (self.crypto && crypto.randomUUID) return crypto.randomUUID();
    // Older browsers: 16 random bytes written as a UUID.
    var b = crypto.getRandomValues(new Uint8Array(16)), hex = "";
    for (var i = 0; i < 16; i++) hex += (b[i] + 256).toString(16).slice(1);
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function field(form, name) {
    var input = form.querySelector('input[name="' + name + '"]');
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      form.appendChild(input);
    }
    return input;
  }

  function text(form, name) {
    var el = form.elements[name];
    if (!el) return "";
    if (el.tagName === "SELECT") return el.options[el.selectedIndex] ? el.options[el.selectedIndex].text : "";
    return el.value || "";
  }

  function clock(ms) {
    var d = new Date(ms);
    return d.toLocaleDateString(undefined, { weekday: "short", day: "numeric", month: "short" }) + ", " +
      d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
  }

  // What the waiting list says of an entry: numbers and names only, never a note.
  function describe(form, kind) {
    if (kind === "checkin") {
      return "Check-in: energy " + text(form, "energy") + ", mood " + text(form, "mood") + ", anxiety " + text(form, "anxiety");
    }
    if (kind === "rest") return "Rest" + (text(form, "date") ? " (" + text(form, "date") + ")" : "");
    var choice = form.closest(".choice");
    var name = choice && choice.querySelector("h3") ? choice.querySelector("h3").textContent : text(form, "activity");
    var minutes = text(form, "minutes");
    return name + (minutes ? ", " + minutes + " minutes" : "") + (text(form, "date") ? " (" + text(form, "date") + ")" : "");
  }

  // What the check-in needs before it can be kept (the server says the same when online).
  function missing(form, kind) {
    if (kind !== "checkin") return "";
    var names = ["energy", "mood", "anxiety"];
    for (var i = 0; i < names.length; i++) {
      if (!form.querySelector('input[name="' + names[i] + '"]:checked')) {
        return "Please choose a number for " + names[i] + ", from 0 to 10.";
      }
    }
    return "";
  }

  function say(message, role) {
    var main = document.getElementById("main");
    if (!main) return;
    var old = document.getElementById("offline-said");
    if (old) old.remove();
    var p = document.createElement("p");
    p.id = "offline-said";
    p.className = role === "alert" ? "field-error" : "done";
    p.setAttribute("role", role || "status");
    p.tabIndex = -1;
    p.textContent = message;
    main.insertBefore(p, main.firstChild);
    p.focus();
  }

  function keepEntry(form, submitter) {
    var kind = form.dataset.offline;
    var id = field(form, "device_id").value || newId();
    field(form, "device_id").value = id;
    field(form, "made_at").value = String(Date.now());
    var fields = [];
    new FormData(form, submitter || undefined).forEach(function (value, name) {
      if (typeof value === "string") fields.push([name, value]);
    });
    var entry = { id: id, kind: kind, action: form.action, fields: fields, made_at: Date.now(),
                  summary: describe(form, kind) };
    // The next entry from this form is another entry, with an id of its own.
    field(form, "device_id").value = "";
    field(form, "made_at").value = "";
    var symptoms = fields.some(function (pair) { return pair[0] === "symptoms" && pair[1]; });
    return outbox.put(entry).then(function () {
      askForSync();
      if (symptoms && config.help) {
        // Something worrying was noticed: help first, kept for offline; the entry is sent later.
        location.assign(config.help);
        return;
      }
      return render().then(function () {
        say(kind === "checkin"
          ? "Your check-in is kept on this phone and will be saved when the connection is back. The choices below are from before it."
          : "Kept on this phone. It will be saved when the connection is back.");
      });
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-offline]")) return;
    var id = field(form, "device_id");
    if (!id.value) id.value = newId();  // a second tap on the same form is the same entry
    if (navigator.onLine !== false || !outbox) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    var problem = missing(form, form.dataset.offline);
    if (problem) { say(problem, "alert"); return; }
    keepEntry(form, event.submitter);
  }, true);

  // Online, but the form could not reach kindstep (htmx could not send it): keep it too.
  document.addEventListener("htmx:sendError", function (event) {
    var elt = event.detail && event.detail.elt;
    var form = elt && (elt.tagName === "FORM" ? elt : elt.closest && elt.closest("form"));
    if (form && form.matches("form[data-offline]") && outbox && !missing(form, form.dataset.offline)) {
      keepEntry(form, null);
    }
  });

  function render() {
    if (!outbox) return Promise.resolve();
    return outbox.all().then(function (entries) {
      var main = document.getElementById("main");
      var box = document.getElementById("waiting");
      if (!main) return;
      if (!entries.length) { if (box) box.remove(); return; }
      if (!box) {
        box = document.createElement("section");
        box.id = "waiting";
        box.className = "note waiting";
        box.setAttribute("aria-labelledby", "waiting-title");
        var h = document.createElement("h2");
        h.id = "waiting-title";
        h.textContent = "Waiting to be saved";
        var p = document.createElement("p");
        p.textContent = "Kept on this phone until the connection is back, then saved once.";
        box.appendChild(h);
        box.appendChild(p);
        box.appendChild(document.createElement("ul"));
        var heading = main.querySelector("h1");
        main.insertBefore(box, heading ? heading.nextSibling : main.firstChild);
      }
      var list = box.querySelector("ul");
      list.textContent = "";
      entries.forEach(function (entry) {
        var li = document.createElement("li");
        li.textContent = entry.summary + " ";
        var when = document.createElement("span");
        when.className = "quiet";
        when.textContent = "(" + clock(entry.made_at) + ", waiting to be saved)";
        li.appendChild(when);
        list.appendChild(li);
      });
    });
  }

  function keptCopy() {
    var marker = document.getElementById("kept-copy");
    if (!marker || document.getElementById("kept-said")) return;
    var at = Date.parse(marker.dataset.keptAt || "");
    var p = document.createElement("p");
    p.id = "kept-said";
    p.className = "note offline-note";
    var onToday = !!document.querySelector("#main .choices, #main form[data-offline='checkin']");
    p.textContent = "You're offline. " +
      (onToday ? "This is the last offer kindstep had" : "This is the copy kindstep kept of this page") +
      (isNaN(at) ? "" : ", from " + clock(at)) + ". Check-ins and logs made now are kept on this phone and saved when the connection is back.";
    marker.parentNode.insertBefore(p, marker);
  }

  function token() {
    var input = document.querySelector('input[name="csrfmiddlewaretoken"]');
    return input ? input.value : "";
  }

  function report(outcome) {
    var parts = [];
    if (outcome.saved) parts.push(outcome.saved === 1 ? "The entry kept on this phone is saved in your record now."
                                                       : "The " + outcome.saved + " entries kept on this phone are saved in your record now.");
    if (outcome.refused.length) parts.push("kindstep could not save this as it was, so please enter it again: " + outcome.refused.join("; ") + ".");
    if (parts.length) say(parts.join(" "));
    if (outcome.help) location.assign(outcome.help);  // the entry named something to heed
  }

  function send() {
    if (!outbox || navigator.onLine === false) return Promise.resolve();
    return outbox.flush(token()).then(function (outcome) {
      report(outcome);
      return render();
    }, function () {});
  }

  function askForSync() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.sync) return registration.sync.register("kindstep-waiting");
    }).catch(function () {});
  }

  // Keep the Move page of each of Today's choices, so "Start with a guide" opens offline too.
  function keepMovePages() {
    var links = document.querySelectorAll('#main .choices a[href*="/move/"]');
    if (!links.length || !("serviceWorker" in navigator)) return;
    var urls = Array.prototype.map.call(links, function (a) { return a.getAttribute("href"); });
    // Once the worker is active (on a first visit it is still installing).
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.active) registration.active.postMessage({ type: "keep", urls: urls });
    });
  }

  function onPage() {
    keptCopy();
    render().then(send);
    if (navigator.onLine !== false) keepMovePages();
  }

  if ("serviceWorker" in navigator && window.isSecureContext && config.sw) {
    navigator.serviceWorker.register(config.sw, { scope: config.scope || "/" }).catch(function () {});
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "sent") { report(event.data.outcome); render(); }
    });
  }
  window.addEventListener("online", send);
  document.addEventListener("DOMContentLoaded", onPage);
  // After htmx swaps in a new page (a boosted link or form), as after a page load.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.elt === document.body || event.target === document.body) onPage();
  });
})();
