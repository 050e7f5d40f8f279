/* The pages' one script (spec/ui.md §2.4). Every page works without it: it reveals the
   JavaScript-only controls ([data-js-only]) and hides their no-JS counterparts ([data-no-js]),
   gives htmx the CSRF token, marks swap targets busy, focuses the error summary, and hands focus
   to the results heading after pagination or a removed filter. Event delegation only: no inline
   handlers (the CSP allows none). */
(function () {
  "use strict";
  var settled = 0;

  function enhance(root) {
    if (!root.querySelectorAll) return;
    root.querySelectorAll("[data-js-only]").forEach(function (el) { el.hidden = false; });
    root.querySelectorAll("[data-no-js]").forEach(function (el) { el.hidden = true; });
  }

  function ready() {
    enhance(document);
    document.body.dataset.htmxSettled = String(settled);
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
    var search = document.getElementById("catalogue-search");
    // The search box sends its own requests while typing; its change event must not make the
    // filter form send the same one again.
    if (search) search.addEventListener("change", function (e) { e.stopPropagation(); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();

  document.addEventListener("htmx:configRequest", function (e) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) e.detail.headers["X-CSRF-Token"] = meta.content;
  });

  document.addEventListener("htmx:beforeRequest", function (e) {
    if (e.detail.target) e.detail.target.setAttribute("aria-busy", "true");
  });

  document.addEventListener("htmx:afterRequest", function (e) {
    if (e.detail.target) e.detail.target.removeAttribute("aria-busy");
  });

  document.addEventListener("htmx:afterSettle", function (e) {
    enhance(e.detail.target || document);
    var elt = e.detail.requestConfig && e.detail.requestConfig.elt;
    if (elt && elt.hasAttribute && elt.hasAttribute("data-focus-results")) {
      var heading = document.getElementById("results-heading");
      var search = document.getElementById("catalogue-search");
      if (heading && search) search.value = heading.getAttribute("data-q") || "";
      if (heading) heading.focus();
    }
    settled += 1;
    document.body.dataset.htmxSettled = String(settled);
  });

  // An error summary link focuses its control and scrolls the control's label into view.
  document.addEventListener("click", function (e) {
    var link = e.target.closest ? e.target.closest("#error-summary a[href^='#']") : null;
    if (!link) return;
    var control = document.getElementById(link.getAttribute("href").slice(1));
    if (!control) return;
    e.preventDefault();
    var label = document.querySelector('label[for="' + control.id + '"]') || control.closest("fieldset");
    (label || control).scrollIntoView();
    control.focus({ preventScroll: true });
  });
  /* -- owner pages (spec/ui.md §5.6): "Show key", the deprecation <dialog>, and the session
     timeout warning (WCAG 2.2.1): opened REGISTRY_UI_WARN_BEFORE_SECONDS before the idle expiry;
     "Stay signed in" POSTs /session/extend (204) and restarts the clock. */
  document.addEventListener("change", function (e) {
    var box = e.target;
    if (!box.matches || !box.matches("[data-show-key]")) return;
    var input = document.getElementById(box.getAttribute("data-show-key"));
    if (input) input.type = box.checked ? "text" : "password";
  });

  document.addEventListener("click", function (e) {
    var opener = e.target.closest ? e.target.closest("[data-open-dialog]") : null;
    if (opener) {
      var dialog = document.getElementById(opener.getAttribute("data-open-dialog"));
      if (dialog && dialog.showModal) { e.preventDefault(); dialog.showModal(); }
      return;
    }
    var closer = e.target.closest ? e.target.closest("[data-close-dialog]") : null;
    if (closer && closer.closest("dialog")) closer.closest("dialog").close();
  });

  var timeoutTimer = null;
  function scheduleTimeout(dialog, expiresAt) {
    var warn = Number(dialog.getAttribute("data-warn-before")) * 1000;
    if (timeoutTimer) clearTimeout(timeoutTimer);
    timeoutTimer = setTimeout(function () {
      var left = Math.max(1, Math.round((expiresAt - Date.now()) / 60000));
      var slot = dialog.querySelector("[data-timeout-left]");
      if (slot) slot.textContent = left + (left === 1 ? " minute" : " minutes");
      if (!dialog.open && dialog.showModal) dialog.showModal();
    }, Math.max(0, expiresAt - warn - Date.now()));
  }

  function startTimeout() {
    var dialog = document.getElementById("timeout-dialog");
    if (!dialog) return;
    scheduleTimeout(dialog, Date.parse(dialog.getAttribute("data-idle-expires")));
    dialog.addEventListener("submit", function (e) {
      var form = e.target;
      if (!form.hasAttribute("data-timeout-extend")) return;
      e.preventDefault();
      var body = new URLSearchParams(new FormData(form));
      fetch(form.action, { method: "POST", body: body, credentials: "same-origin" })
        .then(function (r) {
          if (r.status !== 204) { window.location.assign(dialog.getAttribute("data-expired-url")); return; }
          dialog.close();
          var idle = Number(dialog.getAttribute("data-idle-seconds")) * 1000;
          scheduleTimeout(dialog, Date.now() + idle);
        });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", startTimeout);
  else startTimeout();
})();

// -- admin console (issue 17) ------------------------------------------------------------------
// "Select all on this page": the header checkbox (hidden without JS) ticks every row's box; when
// all are ticked by hand it follows. Without JS each row is ticked on its own.
(function () {
  "use strict";
  function boxes(all) {
    var form = all.closest("form");
    return form ? form.querySelectorAll('input[type=checkbox][name="' + all.getAttribute("data-select-all") + '"]') : [];
  }
  function wire(root) {
    root.querySelectorAll("input[data-select-all]").forEach(function (all) {
      all.hidden = false;
      all.addEventListener("change", function () {
        boxes(all).forEach(function (b) { b.checked = all.checked; });
      });
      all.closest("form").addEventListener("change", function (e) {
        if (e.target === all || e.target.name !== all.getAttribute("data-select-all")) return;
        var list = Array.prototype.slice.call(boxes(all));
        all.checked = list.length > 0 && list.every(function (b) { return b.checked; });
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { wire(document); });
  } else {
    wire(document);
  }
})();

// Activity "Auto-refresh every 30 s": off by default (WCAG 2.2.2); when ticked, "Load newer" is
// triggered every 30 s (its fragment announces "N new entries" in a polite status region).
(function () {
  "use strict";
  var timer = null;
  function wire() {
    var box = document.querySelector("input[data-refresh]");
    if (!box) return;
    var label = box.closest("label");
    if (label) label.hidden = false;
    box.addEventListener("change", function () {
      if (timer) { clearInterval(timer); timer = null; }
      if (!box.checked) return;
      timer = setInterval(function () {
        var link = document.querySelector(box.getAttribute("data-refresh"));
        if (link && window.htmx) window.htmx.trigger(link, "click");
      }, 30000);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", wire);
  else wire();
})();
