/* Regrant: small, page-wide progressive enhancements. Loaded in <head>, so it runs before
   the page paints: the "js" class lets the stylesheet hide what only matters without JavaScript. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Forms marked data-once: the first submit disables their buttons, so a double click
  // sends one request. Disabled a tick later, so the clicked button still submits its value.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-once") || event.defaultPrevented) return;
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (b) {
        b.disabled = true;
        b.setAttribute("aria-disabled", "true");
      });
    }, 0);
  });

  // Buttons with data-confirm ask first (the server asks too, on its own page, without JS).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) event.preventDefault();
  });
})();
