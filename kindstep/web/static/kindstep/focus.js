// After htmx swaps in a new page (a boosted link or form), put the keyboard and the
// screen reader where a full page load would have taken them, with more care: to the
// first answer that needs another look when a form came back, else to what the page
// has to say at once (where to find help first, then a result or "Saved"), else to
// the page's heading, which a screen reader then reads out. Without this the focus
// fell to <body> and nothing said the page had changed. Without JavaScript the
// browser loads each page whole and none of this is needed.
(function () {
  "use strict";

  function target() {
    var main = document.getElementById("main");
    if (!main) return null;
    // The page's own choice first: the templates mark with autofocus what a page loaded
    // whole (without JavaScript) opens at, such as the help after a worrying answer.
    var chosen = main.querySelector("[autofocus]");
    if (chosen) return chosen;
    var invalid = main.querySelector('[aria-invalid="true"]');
    if (invalid) return invalid;
    var found = main.querySelector(".field-error") || main.querySelector("section.safety") ||
      main.querySelector('[role="alert"]') ||
      main.querySelector('[role="status"]') || main.querySelector("h1");
    return found || main;
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.elt !== document.body && event.target !== document.body) return;
    var place = target();
    if (!place) return;
    if (!place.matches("input, select, textarea, button, a[href]")) place.setAttribute("tabindex", "-1");
    place.focus();
  });
})();
