/* The grantee's forms, enhanced. Without this file everything still works: "Save" posts the
   report and the server recomputes the statement. With it:
   - the financial statement (converted amount, remaining, over-budget warning) follows every
     keystroke and the currency select, in exact integer arithmetic;
   - autosave (htmx, see hx-* on the form) is made safe: Submit waits for a save in flight, a
     double click sends one request, leaving with unsaved changes asks first;
   - the amendment form shows the fields of the chosen kind and checks the reallocation total. */
(function () {
  "use strict";

  /* Money in integer cents (BigInt); rates in millionths. ------------------------------ */

  function parseScaled(text, places) {
    text = (text || "").trim().replace(/,/g, "");
    if (text === "") return 0n;
    var m = new RegExp("^(\\d{1,12})(?:\\.(\\d{1," + places + "}))?$").exec(text);
    if (!m) return null;
    var frac = ((m[2] || "") + "000000").slice(0, places);
    return BigInt(m[1]) * 10n ** BigInt(places) + BigInt(frac);
  }

  function plain(cents) {
    var negative = cents < 0n;
    if (negative) cents = -cents;
    var whole = (cents / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return (negative ? "-" : "") + whole + "." + (cents % 100n).toString().padStart(2, "0");
  }

  function setText(id, text) {
    var el = document.getElementById(id);
    if (el) el.textContent = text;
  }

  /* The financial statement ------------------------------------------------------------ */

  var form = document.getElementById("report-form");
  var table = document.getElementById("statement");
  var select = document.getElementById("currency");

  function recompute() {
    if (!form || !table || !select) return;
    var grantCurrency = table.getAttribute("data-grant-currency");
    var option = select.options[select.selectedIndex];
    var code = option.value;
    var rate = code === grantCurrency ? 1000000n : parseScaled(option.getAttribute("data-rate"), 6);
    var missing = !rate;
    var flex = parseScaled(table.getAttribute("data-flex"), 2) || 0n; // hundredths of a percent
    var totalSpent = 0n;
    var totalBudget = 0n;
    document.querySelectorAll(".report-currency").forEach(function (el) { el.textContent = code; });
    table.querySelectorAll("tr.statement-row").forEach(function (row) {
      var id = row.getAttribute("data-line");
      var budget = parseScaled(row.getAttribute("data-budget"), 2) || 0n;
      totalBudget += budget;
      var input = document.getElementById("spent-" + id);
      var local = input ? parseScaled(input.value, 2) : null;
      if (input) {
        input.classList.toggle("invalid", local === null);
        if (local === null) input.setAttribute("aria-invalid", "true");
        else input.removeAttribute("aria-invalid");
      }
      var warning = document.getElementById("warn-" + id);
      if (missing || local === null) {
        setText("conv-" + id, "—");
        setText("var-" + id, "—");
        row.classList.remove("over");
        if (warning) warning.textContent = "";
        return;
      }
      // Converted = local / rate, rounded half up to the cent, as the server does.
      var converted = (2n * local * 1000000n + rate) / (2n * rate);
      totalSpent += converted;
      setText("conv-" + id, plain(converted) + " " + grantCurrency);
      setText("var-" + id, plain(budget - converted) + " " + grantCurrency);
      // Over by more than the flexibility: (converted − budget) × 100 > flex% × budget.
      var over = budget > 0n && (converted - budget) * 10000n > flex * budget;
      row.classList.toggle("over", over);
      if (warning) {
        var hundredths = budget > 0n ? ((converted - budget) * 10000n) / budget : 0n;
        warning.textContent = over
          ? table.getAttribute("data-warn")
              .replace("{p}", (hundredths / 100n).toString() + "." + (hundredths % 100n).toString().padStart(2, "0"))
              .replace("{flex}", table.getAttribute("data-flex").replace(/\.?0+$/, ""))
          : "";
      }
    });
    setText("total-spent", missing ? "—" : plain(totalSpent) + " " + grantCurrency);
    setText("total-variance", missing ? "—" : plain(totalBudget - totalSpent) + " " + grantCurrency);
    var texts = document.getElementById("rate-texts");
    var note = document.getElementById("rate-note");
    if (texts && note) {
      if (code === grantCurrency) {
        note.textContent = texts.getAttribute("data-same");
        note.className = "help";
        note.removeAttribute("role");
      } else if (missing) {
        note.textContent = texts.getAttribute("data-missing").replace("{c}", code);
        note.className = "message warning";
        note.setAttribute("role", "alert");
      } else {
        note.textContent = texts.getAttribute("data-rate")
          .replace("{r}", option.getAttribute("data-rate").replace(/\.?0+$/, ""))
          .replace("{c}", code)
          .replace("{g}", grantCurrency);
        note.className = "help";
        note.removeAttribute("role");
      }
    }
  }

  if (form) {
    form.addEventListener("input", function (event) {
      if (event.target.classList.contains("spent")) recompute();
    });
    if (select) select.addEventListener("change", recompute);
    recompute();
    // The server's figures arrive after a save; the page keeps showing what is typed now.
    document.body.addEventListener("htmx:afterSettle", recompute);
  }

  /* Autosave bookkeeping --------------------------------------------------------------- */

  if (form) {
    var edits = 0;
    var sentEdits = 0;
    var savedEdits = 0;
    var inflight = 0;
    var submitting = false;
    var pendingSubmitter = null;

    var status = function () { return document.getElementById("save-status"); };
    var setStatus = function (state, text) {
      var el = status();
      if (!el) return;
      el.setAttribute("data-state", state);
      el.textContent = text;
    };
    var noteEdit = function (event) {
      if (event.target.closest && event.target.closest("form") !== form) return;
      edits += 1;
      var el = status();
      var state = el ? el.getAttribute("data-state") : "";
      if (!/^(conflict|error|pending)$/.test(state)) setStatus("pending", form.getAttribute("data-pending"));
    };
    form.addEventListener("input", noteEdit);
    form.addEventListener("change", noteEdit);

    var isAutosave = function (event) { return event.detail && event.detail.elt === form; };

    // htmx sends a form's request to the `formaction` of the last button clicked in it: an
    // autosave fired by leaving a field for "Submit" would submit. Autosaves only autosave.
    document.body.addEventListener("htmx:configRequest", function (event) {
      if (isAutosave(event)) event.detail.path = form.getAttribute("hx-post");
    });

    document.body.addEventListener("htmx:beforeRequest", function (event) {
      if (!isAutosave(event)) return;
      if (submitting || pendingSubmitter) {
        event.preventDefault();
        return;
      }
      inflight += 1;
      sentEdits = edits;
    });

    document.body.addEventListener("htmx:afterRequest", function (event) {
      if (!isAutosave(event)) return;
      inflight = Math.max(0, inflight - 1);
      var el = status();
      var state = el ? el.getAttribute("data-state") : "";
      if (state === "saved") savedEdits = sentEdits;
      if (event.detail.failed && !/^(error|conflict)$/.test(state)) {
        setStatus("offline", form.getAttribute("data-offline"));
      } else if (state === "saved" && edits > sentEdits) {
        setStatus("pending", form.getAttribute("data-pending"));
      }
      if (inflight === 0 && pendingSubmitter) {
        var submitter = pendingSubmitter;
        pendingSubmitter = null;
        window.setTimeout(function () { form.requestSubmit(submitter); }, 0);
      }
    });

    form.addEventListener("submit", function (event) {
      if (submitting) {
        event.preventDefault();
        return;
      }
      if (inflight > 0) {
        event.preventDefault();
        pendingSubmitter = event.submitter || document.getElementById("save-button");
        return;
      }
      submitting = true;
      var submitter = event.submitter;
      window.setTimeout(function () {
        document.querySelectorAll("#action-bar button").forEach(function (b) { b.disabled = true; });
        if (submitter && submitter.hasAttribute("data-submitting")) {
          submitter.textContent = submitter.getAttribute("data-submitting");
        }
      }, 0);
    });

    window.addEventListener("pageshow", function (event) {
      if (!event.persisted) return;
      submitting = false;
      document.querySelectorAll("#action-bar button").forEach(function (b) { b.disabled = false; });
    });

    window.addEventListener("beforeunload", function (event) {
      if (submitting || savedEdits >= edits) return;
      event.preventDefault();
      event.returnValue = "";
    });
  }

  /* The amendment form ----------------------------------------------------------------- */

  var amendment = document.getElementById("amendment-form");
  if (amendment) {
    var showKind = function () {
      var checked = amendment.querySelector("input[name=kind]:checked");
      var kind = checked ? checked.value : "";
      ["budget", "extension", "activities"].forEach(function (k) {
        amendment.querySelectorAll(".kind-" + k).forEach(function (fs) { fs.hidden = kind !== k; });
      });
    };
    var checkTotal = function () {
      var note = document.getElementById("realloc-total");
      if (!note) return;
      var expected = parseScaled(note.getAttribute("data-total"), 2) || 0n;
      var total = 0n;
      var bad = false;
      amendment.querySelectorAll("input.realloc").forEach(function (input) {
        var cents = parseScaled(input.value, 2);
        if (cents === null) bad = true;
        else total += cents;
      });
      var currency = " " + note.getAttribute("data-currency");
      var ok = !bad && total === expected;
      note.className = ok ? "pass" : "fail";
      note.textContent = ok
        ? "✓ " + note.getAttribute("data-ok").replace("{total}", plain(total) + currency)
        : "✗ " + note.getAttribute("data-bad")
            .replace("{total}", plain(total) + currency)
            .replace("{expected}", plain(expected) + currency)
            .replace("{diff}", plain(expected - total) + currency);
    };
    amendment.addEventListener("change", showKind);
    amendment.addEventListener("input", function (event) {
      if (event.target.classList.contains("realloc")) checkTotal();
    });
    showKind();
    checkTotal();
  }
})();
