/* The registration and edit form's behaviour (spec/ui.md §5.3, §5.4, §3.7, §4), loaded only by
   the pages that show the form (app.js stays within its budget for every other page). Every form
   works without it: pickers fall back to comma-separated text fields, conditional fields stay
   visible, and the server validates on submit. Event delegation only (the CSP allows no inline
   handlers). */
(function () {
  "use strict";
  var $ = function (s, r) { return (r || document).querySelector(s); };
  var $$ = function (s, r) { return Array.prototype.slice.call((r || document).querySelectorAll(s)); };
  var form = $("form.submission-form");
  if (!form) return;
  var timers = {};
  function later(key, fn, ms) { clearTimeout(timers[key]); timers[key] = setTimeout(fn, ms); }
  function say(el, text) { if (el) el.textContent = text; }
  function n(x) { return x.toLocaleString("en"); }

  // Pickers: the chip widget replaces (and disables) the comma-separated text field.
  $$("fieldset[data-picker]", form).forEach(function (box) {
    box.disabled = false;
    var text = form.querySelector('input[data-picker-text][name="' + box.dataset.picker + '"]');
    if (text) text.disabled = true;
  });
  function pickerOf(el) { return el.closest("fieldset[data-picker]"); }
  function status(box, text) {
    var max = box.dataset.max, count = $$(".chips li", box).length;
    say(document.getElementById(box.dataset.picker + "-status"),
      (text ? text + ". " : "") + (max ? count + " of " + max + " selected" : count + " selected"));
  }
  function options(box) { return $$('[role="option"]', box); }
  function close(box) {
    var input = $("[data-combobox]", box), list = $('[role="listbox"]', box);
    list.innerHTML = ""; input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }
  function choose(box, opt) {
    var name = box.dataset.picker, value = opt.dataset.value, label = opt.dataset.label || value;
    var chips = $(".chips", box), input = $("[data-combobox]", box), max = +box.dataset.max || 0;
    if ($$('input[type="hidden"]', chips).some(function (h) { return h.value === value; })) {
      status(box, "Already selected");
    } else if (max && $$("li", chips).length >= max) {
      status(box, "You can select up to " + max + " " + box.dataset.noun);
    } else {
      var li = document.createElement("li"), span = document.createElement("span");
      var hidden = document.createElement("input"), button = document.createElement("button");
      li.className = "chip"; span.textContent = label === value ? value : label + " (" + value + ")";
      hidden.type = "hidden"; hidden.name = name; hidden.value = value;
      button.type = "button"; button.className = "chip-remove"; button.dataset.chipRemove = "";
      button.setAttribute("aria-label", "Remove " + label);
      button.innerHTML = '<span aria-hidden="true">×</span>';
      li.append(span, hidden, button); chips.appendChild(li);
      status(box, label + " added"); form.dispatchEvent(new Event("input"));
    }
    input.value = ""; close(box); input.focus();
  }
  form.addEventListener("click", function (e) {
    var remove = e.target.closest("[data-chip-remove]");
    if (remove) {
      var box = pickerOf(remove), li = remove.closest("li");
      var label = remove.getAttribute("aria-label").replace(/^Remove /, "");
      li.remove(); status(box, label + " removed"); $("[data-combobox]", box).focus();
      form.dispatchEvent(new Event("input"));
      return;
    }
    var opt = e.target.closest('[role="option"]');
    if (opt) choose(pickerOf(opt), opt);
  });
  form.addEventListener("keydown", function (e) {
    var input = e.target;
    if (!input.matches || !input.matches("[data-combobox]")) return;
    var box = pickerOf(input), opts = options(box);
    var active = document.getElementById(input.getAttribute("aria-activedescendant") || "");
    var i = opts.indexOf(active);
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      if (!opts.length) return;
      e.preventDefault();
      i = e.key === "ArrowDown" ? (i + 1) % opts.length : (i <= 0 ? opts.length - 1 : i - 1);
      opts.forEach(function (o, k) { o.setAttribute("aria-selected", k === i ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", opts[i].id);
      opts[i].scrollIntoView({ block: "nearest" });
    } else if (e.key === "Enter") {
      e.preventDefault();
      if (active) choose(box, active);
      else if (opts.length === 1) choose(box, opts[0]);
    } else if (e.key === "Escape" && opts.length) {
      e.preventDefault(); close(box);
    }
  });
  document.addEventListener("htmx:afterSwap", function (e) {
    var list = e.detail.target;
    if (!list || list.getAttribute("role") !== "listbox") return;
    var input = $("[data-combobox]", pickerOf(list));
    input.setAttribute("aria-expanded", options(pickerOf(list)).length ? "true" : "false");
    input.removeAttribute("aria-activedescendant");
  });

  // Conditional reveals: shown while their controlling field says so.
  function valuesOf(name) {
    return $$('[name="' + name + '"]', form).filter(function (el) {
      return (el.type !== "radio" && el.type !== "checkbox") || el.checked;
    });
  }
  function reveal() {
    $$("[data-reveal-of]", form).forEach(function (wrap) {
      var want = wrap.dataset.revealValues, chosen = valuesOf(wrap.dataset.revealOf), show;
      if (want === "*partner") show = chosen.some(function (el) { return el.hasAttribute("data-partner"); });
      else if (want.charAt(0) === "!") show = !chosen.some(function (el) { return el.value === want.slice(1); });
      else show = chosen.some(function (el) { return want.split(" ").indexOf(el.value) >= 0; });
      wrap.hidden = !show;
      $$('[name="' + wrap.dataset.revealOf + '"]', form).forEach(function (el) { el.setAttribute("aria-controls", wrap.id); });
    });
  }

  // Character counts (a polite live region, at most every 500 ms).
  function count(el, now) {
    var c = document.getElementById(el.id + "-count");
    if (!c) return;
    var len = el.value.trim().length, max = +c.dataset.max || 0, min = +c.dataset.min || 0, msg;
    if (max && len > max) msg = "You have " + n(len - max) + " character" + (len - max === 1 ? "" : "s") + " too many";
    else if (min && len < min) msg = "You need " + n(min - len) + " more character" + (min - len === 1 ? "" : "s");
    else msg = "You have " + n(max - len) + " character" + (max - len === 1 ? "" : "s") + " remaining";
    c.classList.toggle("over", !!max && len > max);
    if (now) say(c, msg); else later(el.id, function () { say(c, msg); }, 500);
  }

  // Progress over the required questions.
  function progress() {
    var bar = document.getElementById("form-progress");
    if (!bar) return;
    var done = $$('[aria-required="true"], fieldset.field', form).filter(function (el) {
      if (el.tagName === "FIELDSET") {
        if (/\(optional\)/.test(($("legend", el) || {}).textContent || "") || el.closest("[hidden]")) return false;
        return valuesOf(($("input", el) || {}).name).length > 0;
      }
      return el.type === "checkbox" ? el.checked : el.value.trim() !== "";
    }).length;
    bar.value = Math.min(done, +bar.max);
    say(document.getElementById("form-progress-text"), bar.value + " of " + bar.max + " required questions answered");
  }

  // Live validation: only on a field already showing an error, on change, to clear or update it.
  form.addEventListener("change", function (e) {
    var el = e.target, name = el.dataset && el.dataset.validate, url = form.dataset.validateUrl;
    if (!name || !url) return;
    var error = document.getElementById("id_" + name + "-error");
    if (!error || error.hidden) return;
    var data = new FormData(form);
    data.set("field", name); data.delete("logo");
    fetch(url, { method: "POST", body: data, credentials: "same-origin" }).then(function (r) {
      return r.ok ? r.text() : null;
    }).then(function (html) {
      if (html === null) return;
      error.innerHTML = html; error.hidden = !html.trim();
      if (error.hidden) {
        $$('[aria-describedby~="' + error.id + '"]', form).forEach(function (c) {
          c.setAttribute("aria-describedby", c.getAttribute("aria-describedby").replace(error.id, "").trim());
          c.removeAttribute("aria-invalid");
        });
      }
    });
  });

  // PI filter: hides the rows that do not match.
  form.addEventListener("input", function (e) {
    var el = e.target;
    if (el.dataset && el.dataset.filterGroup) {
      var q = el.value.trim().toLowerCase(), shown = 0, rows = $$(".choice", document.getElementById(el.dataset.filterGroup));
      rows.forEach(function (row) { row.hidden = q && row.textContent.toLowerCase().indexOf(q) < 0; if (!row.hidden) shown++; });
      say(document.getElementById(el.id + "-count"), shown + " of " + rows.length + " shown");
      return;
    }
    if (el.id && document.getElementById(el.id + "-count")) count(el);
    progress(); saveDraft();
  });
  form.addEventListener("change", function () { reveal(); progress(); saveDraft(); });

  // Drafts in this browser (§3.7): never the consent, files, tokens or the internal contact.
  var key = form.dataset.draftKey, ttl = (+form.dataset.draftTtlDays || 7) * 864e5;
  var skip = /^(csrf_token|website_confirm|data_protection_consent|logo|logo_clear|q|altcha|internal_contact_.*)$/;
  function saveDraft() {
    if (!key) return;
    later("draft", function () {
      var out = [];
      new FormData(form).forEach(function (v, k) { if (typeof v === "string" && !skip.test(k)) out.push([k, v]); });
      try { localStorage.setItem(key, JSON.stringify({ at: Date.now(), values: out })); } catch (err) { /* full or off */ }
    }, 500);
  }
  function clearDraft() { try { localStorage.removeItem(key); } catch (err) { /* off */ } }
  function restore() {
    var raw; try { raw = JSON.parse(localStorage.getItem(key) || "null"); } catch (err) { raw = null; }
    if (!raw || Date.now() - raw.at > ttl) { if (raw) clearDraft(); return; }
    var byName = {};
    raw.values.forEach(function (p) { (byName[p[0]] = byName[p[0]] || []).push(p[1]); });
    Object.keys(byName).forEach(function (name) {
      var vals = byName[name];
      $$('[name="' + name + '"]', form).forEach(function (el) {
        if (el.type === "radio" || el.type === "checkbox") el.checked = vals.indexOf(el.value) >= 0;
        else if (el.type === "hidden") return;
        else if (!el.disabled) el.value = vals[vals.length - 1];
      });
      var box = form.querySelector('fieldset[data-picker="' + name + '"]');
      if (box) {
        $(".chips", box).innerHTML = "";
        vals.forEach(function (v) { choose(box, { dataset: { value: v, label: v } }); });
      }
    });
    say(document.getElementById("draft-status"), "We restored answers you entered on " + new Date(raw.at).toLocaleString("en-GB") + ".");
  }
  if (key && !document.getElementById("error-summary") && !form.dataset.noRestore) restore();
  form.addEventListener("submit", clearDraft);
  document.addEventListener("click", function (e) {
    if (!e.target.closest || !e.target.closest("#draft-clear")) return;
    clearDraft(); form.reset();
    $$(".chips", form).forEach(function (c) { c.innerHTML = ""; });
    say(document.getElementById("draft-status"), "Saved answers cleared.");
    reveal(); progress();
  });

  // bio.tools prefill: rows for fields already answered start unticked; "Apply selected" fills.
  function answered(name) {
    var box = form.querySelector('fieldset[data-picker="' + name + '"]');
    if (box && !box.disabled) return $$(".chips li", box).length > 0;
    var el = document.getElementById("id_" + name);
    return !!(el && el.value.trim());
  }
  document.addEventListener("htmx:afterSwap", function (e) {
    if (!e.detail.target || e.detail.target.id !== "biotools-result") return;
    $$("[data-prefill-target]", e.detail.target).forEach(function (box) {
      box.checked = !answered(box.dataset.prefillTarget);
    });
  });
  document.addEventListener("click", function (e) {
    if (!e.target.closest || !e.target.closest("#biotools-apply")) return;
    var done = 0;
    $$("[data-prefill-target]:checked", form).forEach(function (row) {
      var name = row.dataset.prefillTarget, values = row.dataset.prefillValue.split(",");
      var labels = row.dataset.prefillLabels.split("||");
      var box = form.querySelector('fieldset[data-picker="' + name + '"]');
      if (box && !box.disabled) {
        values.forEach(function (v, i) { choose(box, { dataset: { value: v, label: labels[i] || v } }); });
      } else {
        var el = document.getElementById("id_" + name);
        if (!el) return;
        el.value = box ? values.join(", ") : row.dataset.prefillValue;
        el.dispatchEvent(new Event("input", { bubbles: true }));
      }
      done++;
    });
    var out = document.getElementById("biotools-result");
    out.textContent = done + " answer" + (done === 1 ? "" : "s") + " copied from bio.tools.";
    var first = document.getElementById("id_service_name");
    if (first) first.focus();
  });

  reveal(); progress();
  $$("[data-count-for]", form).forEach(function (c) { var el = document.getElementById(c.dataset.countFor); if (el) count(el, true); });
})();

/* The one-time key: copy, and download as a text file built here (nothing goes to the server). */
document.addEventListener("click", function (e) {
  var copy = e.target.closest && e.target.closest("#copy-key");
  var down = e.target.closest && e.target.closest("#download-key");
  var code = document.getElementById("api-key"), out = document.getElementById("copy-status");
  if (!code || !(copy || down)) return;
  if (copy && navigator.clipboard) {
    navigator.clipboard.writeText(code.textContent.trim()).then(function () { out.textContent = "Key copied to clipboard"; });
  }
  if (down) {
    var a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([code.textContent.trim() + "\n"], { type: "text/plain" }));
    a.download = down.dataset.filename || "registry-key.txt";
    document.body.appendChild(a); a.click(); a.remove();
    out.textContent = "Key downloaded";
  }
});
/* The success banner is focused on load, so its heading is announced first. */
(function () {
  function focus() { var b = document.getElementById("registration-success"); if (b) b.focus(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", focus); else focus();
})();
/* An error summary link to a picker's no-JS text field focuses its combobox instead. */
document.addEventListener("click", function (e) {
  var link = e.target.closest && e.target.closest("#error-summary a[href^='#']");
  var el = link && document.getElementById(link.getAttribute("href").slice(1));
  if (el && el.disabled && el.hasAttribute("data-picker-text")) {
    e.preventDefault();
    var combo = document.getElementById(el.id + "-input");
    if (combo) { combo.scrollIntoView({ block: "center" }); combo.focus(); }
  }
});
/* "Check your answers" is focused on load, so its heading is read first. */
(function () {
  function focus() { var c = document.getElementById("check-answers"); if (c && !document.getElementById("error-summary")) c.focus(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", focus); else focus();
})();
