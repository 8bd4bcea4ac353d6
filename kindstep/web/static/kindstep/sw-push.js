// kindstep's web push handling, for a service worker to load with importScripts (the app's
// own /sw.js does), or to run as a service worker of its own (scope /static/kindstep/).
// A push carries {title, body, url}, encrypted for this browser; tapping the notification
// opens the url (Today), or brings an open kindstep window there.
self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = {}; }
  var title = data.title || "kindstep";
  event.waitUntil(self.registration.showNotification(title, {
    body: data.body || "",
    data: { url: data.url || "/" },
    tag: "kindstep-reminder",
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = new URL((event.notification.data && event.notification.data.url) || "/",
                    self.location.origin).href;
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true })
    .then(function (windows) {
      for (var i = 0; i < windows.length; i++) {
        var w = windows[i];
        if (new URL(w.url).origin === self.location.origin && "navigate" in w) {
          return w.navigate(url).then(function (c) { return (c || w).focus(); });
        }
      }
      return self.clients.openWindow(url);
    }));
});
