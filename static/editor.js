// The model editor: keeps the user's place across htmx swaps, posts the
// placement matrix's cells through one delegated handler, and clears the
// messages of other forms when the user works in one.
(function () {
  "use strict";

  function inEditor(el) {
    return el && el.closest && el.closest("#editor");
  }

  // triggeredByServer tells a section fetching itself after an edit (an
  // HX-Trigger "editor-…" event) from something the user did.
  function triggeredByServer(e) {
    var cfg = e.detail.requestConfig;
    var ev = cfg && cfg.triggeringEvent;
    return !!(ev && typeof ev.type === "string" && ev.type.indexOf("editor-") === 0);
  }

  // Before a request the user made in the editor: clear the old messages
  // of the other forms and of the sections' status lines.
  document.addEventListener("htmx:beforeRequest", function (e) {
    var elt = e.detail.elt;
    if (!inEditor(elt) || triggeredByServer(e)) return;
    var form = elt.closest("form");
    document.querySelectorAll("#editor form").forEach(function (f) {
      if (f === form) return;
      f.querySelectorAll(".form-errors, .form-notice, .field-error").forEach(function (m) {
        m.remove();
      });
      f.querySelectorAll(".field-invalid").forEach(function (m) {
        m.classList.remove("field-invalid");
      });
    });
    document.querySelectorAll("#editor .section-status").forEach(function (s) {
      s.textContent = "";
    });
  });

  // where describes the focused element so it can be found again in new
  // content: by its id, or by its row and role (a row's Edit button).
  function where(el) {
    if (!el || el === document.body) return null;
    var row = el.closest && el.closest("tr[id]");
    return { id: el.id, row: row && row.id, testid: el.getAttribute && el.getAttribute("data-testid") };
  }

  function refocus(w) {
    if (!w) return false;
    var el = w.id && document.getElementById(w.id);
    if (!el && w.row && w.testid) el = document.querySelector("#" + CSS.escape(w.row) + ' [data-testid="' + w.testid + '"]');
    if (!el) return false;
    el.focus({ preventScroll: true });
    return true;
  }

  function focusFirst(root, sel) {
    var el = root && root.querySelector(sel);
    if (el) el.focus({ preventScroll: true });
    return !!el;
  }

  // Just before a swap in the editor: remember the scroll position, where
  // focus is, the target's id and, for a row, its neighbour (a deleted row
  // leaves nothing to focus).
  document.addEventListener("htmx:beforeSwap", function (e) {
    var t = e.detail.target;
    if (!inEditor(t) || !e.detail.xhr) return;
    e.detail.xhr.archmapPlace = {
      y: window.scrollY,
      focus: where(document.activeElement),
      targetID: t.id,
      isRow: t.matches("tr"),
      isAdd: t.matches("form.add-form"),
      next: t.matches("tr") ? t.nextElementSibling || t.previousElementSibling : null,
      user: !triggeredByServer(e)
    };
  });

  // After the swap: focus back where the user was — the same element when
  // it is still there, the add form's first field after an add, the row's
  // Edit button after a save, the next row after a delete — and the page
  // scrolled where it was.
  document.addEventListener("htmx:afterSettle", function (e) {
    var xhr = e.detail.xhr;
    var p = xhr && xhr.archmapPlace;
    if (!p) return;
    xhr.archmapPlace = null; // out-of-band parts settle too: act once
    var active = document.activeElement;
    var lost = !active || active === document.body || !active.isConnected;
    var t = p.targetID && document.getElementById(p.targetID);
    if (p.isAdd && t) {
      // A refusal takes focus to the first field it names (a row of the
      // add-service form may be far from where Enter was pressed).
      if (xhr.status < 300) focusFirst(t, "input:not([type=hidden]), select");
      else if (!focusFirst(t, ".field-invalid input, .field-invalid select") && lost) focusFirst(t, "input:not([type=hidden])");
    } else if (lost && !refocus(p.focus)) {
      if (p.isRow && t) focusFirst(t, "input:not([type=hidden]), [data-testid=edit], [data-testid=reload-section], button");
      else if (p.isRow && p.next && p.next.isConnected) focusFirst(p.next, "[data-testid=edit]");
    }
    if (Math.abs(window.scrollY - p.y) > 1) window.scrollTo(0, p.y);
  });

  // The matrix: one handler for every cell. A cell posts its count on
  // change and is replaced by the server's answer (the cell, its totals).
  document.addEventListener("change", function (e) {
    var input = e.target;
    if (!input.matches || !input.matches("table.matrix input[id^='cell-']")) return;
    var table = input.closest("table.matrix");
    var ids = input.id.split("-"); // cell-<service>-<server>
    var rev = document.getElementById("ws-revision");
    if (!window.htmx || !rev) return;
    window.htmx.ajax("POST", table.getAttribute("data-cell-url") + "/" + ids[1] + "/" + ids[2], {
      source: input,
      target: input.closest("td"),
      swap: "outerHTML",
      values: { instances: input.value, revision: rev.value }
    });
  });
})();

// The add form's lists ("runs on", "calls"): "Another …" copies the list's
// last row, emptied, with the next free index, and focuses its first
// field; "×" removes a row and focuses what follows. No round trip: the
// server reads whatever rows come, renumbered.
(function () {
  "use strict";
  function nextIndex(list) {
    var n = -1;
    list.querySelectorAll(".link-rows [name]").forEach(function (el) {
      var m = /\[(\d+)\]/.exec(el.getAttribute("name"));
      if (m) n = Math.max(n, parseInt(m[1], 10));
    });
    return n + 1;
  }
  // emptied is a copy of row numbered i, its values back to their defaults
  // and its messages gone.
  function emptied(row, i) {
    var copy = row.cloneNode(true);
    copy.querySelectorAll(".field-error").forEach(function (m) {
      m.remove();
    });
    copy.querySelectorAll(".field-invalid").forEach(function (m) {
      m.classList.remove("field-invalid");
    });
    copy.querySelectorAll("[id], [name], [for]").forEach(function (el) {
      if (el.id) el.id = el.id.replace(/-\d+-/, "-" + i + "-");
      if (el.hasAttribute("for")) el.setAttribute("for", el.getAttribute("for").replace(/-\d+-/, "-" + i + "-"));
      if (el.hasAttribute("name")) el.setAttribute("name", el.getAttribute("name").replace(/\[\d+\]/, "[" + i + "]"));
    });
    copy.querySelectorAll("input, select").forEach(function (el) {
      var def = el.getAttribute("data-default") || "";
      el.value = def;
      if (el.tagName === "INPUT") el.setAttribute("value", def);
      el.removeAttribute("aria-invalid");
    });
    return copy;
  }
  document.addEventListener("click", function (e) {
    var btn = e.target.closest && e.target.closest("#editor [data-add-row], #editor [data-remove-row]");
    if (!btn) return;
    var list = btn.closest("[data-list]");
    if (!list) return;
    var rows = list.querySelector(".link-rows");
    if (btn.hasAttribute("data-remove-row")) {
      var row = btn.closest("[data-row]");
      var next = row.nextElementSibling || row.previousElementSibling;
      if (!next) {
        // The last row stays, emptied: there is always one to type in.
        var fresh = emptied(row, nextIndex(list));
        row.replaceWith(fresh);
        next = fresh;
      } else {
        row.remove();
      }
      var to = next.querySelector("input, select");
      if (to) to.focus();
      return;
    }
    var last = rows.lastElementChild;
    if (!last) return;
    var added = emptied(last, nextIndex(list));
    rows.appendChild(added);
    var first = added.querySelector("input, select");
    if (first) first.focus();
  });
})();

// Row buttons: one delegated handler for the Edit and Delete of every row
// (the row holds its URL and name, its tbody the question a delete asks).
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var btn = e.target.closest && e.target.closest("#editor [data-act]");
    if (!btn || !window.htmx) return;
    var row = btn.closest("tr[data-url]");
    if (!row) return;
    var url = row.getAttribute("data-url");
    if (btn.getAttribute("data-act") === "edit") {
      window.htmx.ajax("GET", url + "/edit", { source: btn, target: row, swap: "outerHTML" });
      return;
    }
    var body = row.closest("tbody");
    var question = ((body && body.getAttribute("data-confirm")) || "Delete %s?").replace("%s", row.getAttribute("data-name") || "");
    if (!window.confirm(question)) return;
    var rev = document.getElementById("ws-revision");
    // The row and its button go with the delete, and events on removed
    // elements reach no one: focus the next row here, once it is done.
    var next = row.nextElementSibling || row.previousElementSibling;
    var y = window.scrollY;
    window.htmx
      .ajax("POST", url + "/delete", {
        source: btn,
        target: row,
        swap: "outerHTML",
        values: { revision: rev ? rev.value : "" }
      })
      .then(function () {
        var active = document.activeElement;
        var conflict = row.id && document.getElementById(row.id);
        if (conflict) {
          // Refused (changed by someone else): the message and its reload
          // stand where the row was.
          var r = conflict.querySelector("[data-testid=reload-section]");
          if (r) r.focus({ preventScroll: true });
        } else if (!row.isConnected && next && next.isConnected && (!active || active === document.body || !active.isConnected)) {
          var b = next.querySelector("[data-testid=edit]");
          if (b) b.focus({ preventScroll: true });
        }
        if (Math.abs(window.scrollY - y) > 1) window.scrollTo(0, y);
      });
  });
})();

// Reload buttons (data-reload="<section>"): the section's table fetches
// itself from its own URL, which holds its search, sort and page.
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var btn = e.target.closest && e.target.closest("#editor [data-reload]");
    if (!btn || !window.htmx) return;
    window.htmx.trigger(document.body, "editor-" + btn.getAttribute("data-reload"));
  });
})();

// A section that an add asks to fetch itself (an "editor-…" event with
// {"lazy": true}: its stale rows can only lack what was added) waits while
// it is off screen, and fetches once when it comes into view: adding
// services in the top form does not fetch the matrix after every add, only
// when the user looks at it. Other edits (a delete) refresh at once.
(function () {
  "use strict";
  if (!("IntersectionObserver" in window)) return;
  var MARGIN = 200;
  var pending = new WeakMap();
  var waiting = new WeakSet();
  // fire fetches a waiting section — unless the user is already working in
  // it (focus came there first, as with Tab into the matrix): then when
  // they leave it, so that a refresh never lands under their hands.
  function fire(el) {
    if (!pending.has(el)) return;
    if (el.contains(document.activeElement)) {
      if (waiting.has(el)) return;
      waiting.add(el);
      el.addEventListener("focusout", function later() {
        setTimeout(function () {
          if (el.contains(document.activeElement)) return;
          el.removeEventListener("focusout", later);
          waiting.delete(el);
          fire(el);
        }, 0);
      });
      return;
    }
    var name = pending.get(el);
    pending.delete(el);
    io.unobserve(el);
    if (el.isConnected && window.htmx) window.htmx.trigger(document.body, name);
  }
  var io = new IntersectionObserver(
    function (entries) {
      entries.forEach(function (en) {
        if (en.isIntersecting) fire(en.target);
      });
    },
    { rootMargin: MARGIN + "px 0px" }
  );
  function offscreen(el) {
    var r = el.getBoundingClientRect();
    return r.bottom < -MARGIN || r.top > window.innerHeight + MARGIN;
  }
  document.addEventListener("htmx:confirm", function (e) {
    var ev = e.detail.triggeringEvent;
    var elt = e.detail.elt;
    if (!ev || typeof ev.type !== "string" || ev.type.indexOf("editor-") !== 0) return;
    if (!ev.detail || !ev.detail.lazy) return;
    if (!elt || !/-table$/.test(elt.id || "") || !offscreen(elt)) return;
    e.preventDefault();
    pending.set(elt, ev.type);
    io.observe(elt);
  });
})();
