// Settings: "Show notifications on this device". Shown only where the browser can do web
// push; it asks the browser's permission, subscribes with kindstep's VAPID key and sends
// the subscription (endpoint and keys, nothing else) to kindstep. Without JavaScript the
// button stays hidden and the calendar file and email still work.
(function () {
  "use strict";

  function b64ToBytes(text) {
    var pad = "=".repeat((4 - (text.length % 4)) % 4);
    var raw = atob((text + pad).replace(/-/g, "+").replace(/_/g, "/"));
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  function registration(box) {
    // The app's own service worker (/sw.js) when there is one; else the push handler alone.
    return navigator.serviceWorker.getRegistration("/").then(function (reg) {
      if (reg && reg.active && reg.scope === new URL("/", location.href).href) return reg;
      return navigator.serviceWorker.register(box.dataset.worker);
    }).then(function (reg) {
      if (reg.active) return reg;
      return new Promise(function (resolve) {
        var sw = reg.installing || reg.waiting;
        sw.addEventListener("statechange", function () {
          if (sw.state === "activated") resolve(reg);
        });
      });
    });
  }

  function token() {
    var field = document.querySelector('input[name="csrfmiddlewaretoken"]');
    return field ? field.value : "";
  }

  function turnOn(box) {
    var said = box.querySelector("#push-said");
    said.textContent = "Asking your browser…";
    Notification.requestPermission().then(function (answer) {
      if (answer !== "granted") {
        said.textContent = "Notifications are not allowed in this browser; the calendar file works instead.";
        return null;
      }
      return registration(box).then(function (reg) {
        return reg.pushManager.subscribe({
          userVisibleOnly: true, applicationServerKey: b64ToBytes(box.dataset.key) });
      }).then(function (sub) {
        return fetch(box.dataset.url, {
          method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": token() },
          body: JSON.stringify(sub.toJSON()) });
      }).then(function (response) {
        said.textContent = response.ok ? "Notifications are on for this device."
          : "kindstep could not keep this device's subscription; please try again.";
      });
    }).catch(function () {
      said.textContent = "This browser could not turn notifications on; the calendar file works instead.";
    });
  }

  function setUp() {
    var box = document.querySelector(".push-setup");
    if (!box || box.dataset.ready) return;
    if (!("serviceWorker" in navigator) || !("PushManager" in window) || !window.Notification) return;
    box.dataset.ready = "1";
    box.hidden = false;
    box.querySelector("#push-on").addEventListener("click", function () { turnOn(box); });
  }

  document.addEventListener("DOMContentLoaded", setUp);
  document.addEventListener("htmx:afterSettle", setUp);
})();
