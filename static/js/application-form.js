/* The application editor, enhanced. Without this file the page still works: "Save draft" posts
   the form and the server recomputes the totals. With it:
   - character counters on answers with a length limit;
   - budget rows added and removed in place, totals and co-financing recomputed as you type;
   - autosave (htmx, see hx-* on the form) made safe: a click on Submit waits for a save in
     flight, later autosaves stand down, and a double click sends one request;
   - a warning before leaving the page with changes the server has not accepted. */
(function () {
  "use strict";

  var form = document.getElementById("application-form");
  if (!form) return;

  /* Character counters --------------------------------------------------------------- */

  function updateCounter(field) {
    var counter = document.getElementById(field.id + "-count");
    if (!counter) return;
    var max = parseInt(field.getAttribute("data-max-length"), 10);
    var n = field.value.length;
    var over = n - max;
    var template = counter.getAttribute(over > 0 ? "data-over" : "data-ok");
    counter.textContent = template
      .replace("{n}", n)
      .replace("{max}", max)
      .replace("{over}", over);
    counter.classList.toggle("fail", over > 0);
  }

  form.querySelectorAll("[data-max-length]").forEach(updateCounter);

  /* Money: integer cents in BigInt, so 0.1 + 0.2 is 0.30 and large sums stay exact. ------ */

  var table = document.getElementById("budget-table");
  var currency = table ? table.getAttribute("data-currency") : "";

  function parseCents(text) {
    text = (text || "").trim();
    if (text === "") return 0n;
    var m = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(text);
    if (!m) return null;
    return BigInt(m[1]) * 100n + BigInt(((m[2] || "") + "00").slice(0, 2));
  }

  function group(digits) {
    return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  function plain(cents) {
    var whole = cents / 100n;
    var frac = (cents % 100n).toString().padStart(2, "0");
    return group(whole.toString()) + "." + frac;
  }

  function money(cents) {
    return plain(cents) + " " + currency;
  }

  function setText(id, text) {
    var el = document.getElementById(id);
    if (el) el.textContent = text;
  }

  function markCheck(id, ok) {
    var el = document.getElementById(id);
    var summary = document.getElementById("budget-summary");
    if (!el || !summary) return;
    el.className = ok ? "pass" : "fail";
    el.textContent = "(" + (ok ? "✓ " + summary.getAttribute("data-ok") : "✗ " + summary.getAttribute("data-bad")) + ")";
  }

  function flagAmount(input, bad) {
    var errorId = input.id + "-jserror";
    var existing = document.getElementById(errorId);
    if (bad && !existing) {
      var p = document.createElement("p");
      p.className = "error js-error";
      p.id = errorId;
      p.textContent = table.getAttribute("data-bad-amount");
      input.insertAdjacentElement("afterend", p);
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", ((input.getAttribute("aria-describedby") || "") + " " + errorId).trim());
    } else if (!bad && existing) {
      existing.remove();
      input.removeAttribute("aria-invalid");
      var rest = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
        return id && id !== errorId;
      });
      if (rest.length) input.setAttribute("aria-describedby", rest.join(" "));
      else input.removeAttribute("aria-describedby");
    }
  }

  function recompute() {
    if (!table) return;
    var requested = 0n;
    var own = 0n;
    table.querySelectorAll("tbody tr.budget-row").forEach(function (row) {
      var rowTotal = 0n;
      row.querySelectorAll("input.amount").forEach(function (input) {
        var cents = parseCents(input.value);
        flagAmount(input, cents === null);
        if (cents === null) return;
        rowTotal += cents;
        if (input.getAttribute("data-kind") === "requested") requested += cents;
        else own += cents;
      });
      var cell = row.querySelector(".row-total");
      if (cell) cell.textContent = plain(rowTotal);
    });
    var total = requested + own;
    setText("sum-requested", money(requested));
    setText("sum-own", money(own));
    setText("sum-total", money(total));
    setText("summary-requested", money(requested));

    // Share of own contribution, in hundredths of a percent, rounded half up.
    var hundredths = total > 0n ? (own * 20000n + total) / (2n * total) : 0n;
    setText("summary-cofinancing", (hundredths / 100n).toString() + "." + (hundredths % 100n).toString().padStart(2, "0") + " %");

    var min = parseCents(table.getAttribute("data-min")) || 0n;
    var max = parseCents(table.getAttribute("data-max")) || 0n;
    var minShare = parseCents(table.getAttribute("data-min-cofinancing")) || 0n;
    markCheck("check-amount", requested >= min && requested <= max);
    // Exact, like the server: own × 100 ≥ minimum % × total (both sides in hundredths).
    markCheck("check-cofinancing", total > 0n && own * 10000n >= minShare * total);
  }

  function renumber() {
    if (!table) return;
    table.querySelectorAll("tbody tr.budget-row").forEach(function (row, i) {
      row.querySelectorAll(".line-no").forEach(function (span) {
        span.textContent = String(i + 1);
      });
    });
  }

  var nextIndex = 0;
  if (table) {
    table.querySelectorAll("tbody tr.budget-row").forEach(function (row) {
      nextIndex = Math.max(nextIndex, parseInt(row.getAttribute("data-index"), 10) + 1);
    });
  }

  var addButton = document.getElementById("add-budget-row");
  if (addButton && table) {
    addButton.addEventListener("click", function () {
      var template = document.getElementById("budget-row-template");
      var rows = table.querySelector("tbody");
      var html = template.innerHTML
        .replace(/__i__/g, String(nextIndex))
        .replace(/__n__/g, String(rows.querySelectorAll("tr.budget-row").length + 1));
      nextIndex += 1;
      rows.insertAdjacentHTML("beforeend", html);
      var added = rows.lastElementChild;
      renumber();
      var first = added.querySelector("select, input");
      if (first) first.focus();
    });
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest(".remove-row");
    if (!button) return;
    var row = button.closest("tr.budget-row");
    var focusAfter = (row.nextElementSibling || row.previousElementSibling || addButton);
    row.remove();
    renumber();
    recompute();
    if (focusAfter) {
      var target = focusAfter.matches && focusAfter.matches("tr") ? focusAfter.querySelector("select, input") : focusAfter;
      if (target) target.focus();
    }
    // A removed row is a change: let autosave send the table without it.
    form.dispatchEvent(new Event("change", { bubbles: true }));
  });

  form.addEventListener("input", function (event) {
    if (event.target.hasAttribute("data-max-length")) updateCounter(event.target);
    if (event.target.classList.contains("amount")) recompute();
  });

  recompute();

  /* Autosave bookkeeping -------------------------------------------------------------- */

  var edits = 0; // bumps on every edit
  var sentEdits = 0; // edits included in the save in flight
  var savedEdits = 0; // edits the server has accepted
  var inflight = 0;
  var submitting = false;
  var pendingSubmitter = null;

  function setStatus(state, text) {
    var status = document.getElementById("save-status");
    if (!status) return;
    status.setAttribute("data-state", state);
    status.textContent = text;
  }

  function noteEdit() {
    edits += 1;
    // Say so at once: "Saved" must only ever mean that what is on screen is saved. A conflict
    // or an error stays up until a save succeeds.
    var status = document.getElementById("save-status");
    var state = status ? status.getAttribute("data-state") : "";
    // (Only on a change of state: a live region would re-announce the same text per keystroke.)
    if (!/^(conflict|error|partial|pending)$/.test(state)) {
      setStatus("pending", form.getAttribute("data-pending"));
    }
  }
  form.addEventListener("input", noteEdit);
  form.addEventListener("change", noteEdit);

  function isAutosave(event) {
    return event.detail && event.detail.elt === form;
  }
  // htmx sends a form's request to the `formaction` of the last button clicked for it: an
  // autosave fired by leaving a field for "Submit" would submit. Autosaves only autosave.
  document.body.addEventListener("htmx:configRequest", function (event) {
    if (isAutosave(event)) event.detail.path = form.getAttribute("hx-post");
  });


  // Every request that writes (autosave, uploads, partners) queues on the form (hx-sync), so
  // the page's version moves in step; a submit must wait for the one in flight.
  function isWrite(event) {
    var config = event.detail && event.detail.requestConfig;
    return !!config && config.verb !== "get";
  }

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (!isWrite(event)) return;
    // Once Submit was clicked, the submit request carries the form; no autosave races it.
    if (isAutosave(event) && (submitting || pendingSubmitter)) {
      event.preventDefault();
      return;
    }
    inflight += 1;
    if (isAutosave(event)) sentEdits = edits;
  });

  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (!isWrite(event)) return;
    inflight = Math.max(0, inflight - 1);
    if (isAutosave(event)) {
      var status = document.getElementById("save-status");
      var state = status ? status.getAttribute("data-state") : "";
      if (state === "saved") savedEdits = sentEdits;
      if (event.detail.failed && !/^(error|conflict)$/.test(state)) {
        setStatus("offline", form.getAttribute("data-offline"));
      } else if (state === "saved" && edits > sentEdits) {
        // Typed on while this save was on its way: the next one is coming.
        setStatus("pending", form.getAttribute("data-pending"));
      }
    }
    if (inflight === 0 && pendingSubmitter) {
      var submitter = pendingSubmitter;
      pendingSubmitter = null;
      // After the swap has put the new version in the form.
      window.setTimeout(function () {
        form.requestSubmit(submitter);
      }, 0);
    }
  });

  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (submitting) {
      event.preventDefault();
      return;
    }
    if (inflight > 0) {
      // A save is on its way with this page's version; submit right after it, with the next.
      event.preventDefault();
      pendingSubmitter = submitter || document.getElementById("save-button");
      return;
    }
    submitting = true;
    window.setTimeout(function () {
      document.querySelectorAll("#action-bar button").forEach(function (b) {
        b.disabled = true;
      });
      if (submitter && submitter.hasAttribute("data-submitting")) {
        submitter.textContent = submitter.getAttribute("data-submitting");
      }
    }, 0);
  });

  // Back from the receipt through the browser's cache: make the buttons usable again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    submitting = false;
    document.querySelectorAll("#action-bar button").forEach(function (b) {
      b.disabled = false;
    });
  });

  window.addEventListener("beforeunload", function (event) {
    if (submitting || savedEdits >= edits) return;
    event.preventDefault();
    event.returnValue = "";
  });

  /* Uploads: say at once when a file is too large, instead of after sending it. ------- */

  function tooLarge(input) {
    var upload = input.closest("form.upload");
    var max = upload ? parseInt(upload.getAttribute("data-max-bytes"), 10) : 0;
    return max && input.files && input.files[0] && input.files[0].size > max ? upload : null;
  }

  document.addEventListener("change", function (event) {
    if (!event.target.matches || !event.target.matches("form.upload input[type=file]")) return;
    var upload = tooLarge(event.target);
    var note = event.target.parentElement.querySelector(".js-error");
    if (upload && !note) {
      note = document.createElement("p");
      note.className = "error js-error";
      note.setAttribute("role", "alert");
      note.textContent = upload.getAttribute("data-too-large");
      event.target.parentElement.appendChild(note);
    } else if (!upload && note) {
      note.remove();
    }
  });

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    if (!elt || !elt.matches || !elt.matches("form.upload")) return;
    var input = elt.querySelector("input[type=file]");
    if (input && tooLarge(input)) event.preventDefault();
  });
})();
