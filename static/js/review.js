/* The review form, enhanced. Without this file the page still works: "Save" posts the form and
   "Submit review" saves and submits it. With it (and htmx's autosave, see hx-* on the form):
   - a click on "Submit review" while an autosave is in flight waits for it, so the submit
     carries the version that autosave produced instead of failing as "saved elsewhere";
   - once the form is being submitted, later autosaves stand down;
   - each field's aria-invalid follows the error shown next to it after an autosave. */
(function () {
  "use strict";

  function init() {
    var form = document.getElementById("review-form");
    if (!form) return;
    var inflight = 0;
    var pending = null;
    var submitting = false;

    form.addEventListener("htmx:beforeRequest", function (event) {
      if (submitting) {
        event.preventDefault();
        return;
      }
      inflight += 1;
    });

    form.addEventListener("htmx:afterRequest", function () {
      inflight = Math.max(0, inflight - 1);
      if (inflight === 0 && pending !== null) {
        var button = pending;
        pending = null;
        // After the swap: the new version is in the form by now.
        window.setTimeout(function () { form.requestSubmit(button || undefined); }, 0);
      }
    });

    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented) return;
      if (inflight > 0) {
        event.preventDefault();
        pending = event.submitter || null;
        return;
      }
      submitting = true;
    });

    document.body.addEventListener("htmx:afterSwap", function () {
      form.querySelectorAll("[data-errors-for]").forEach(function (slot) {
        var name = slot.getAttribute("data-errors-for");
        var field = form.querySelector("[name='" + name + "']");
        if (!field) return;
        if (slot.textContent.trim()) field.setAttribute("aria-invalid", "true");
        else field.removeAttribute("aria-invalid");
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
