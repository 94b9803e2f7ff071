// The model editor: keeps the user's place across htmx swaps, posts the
// placement matrix's cells through one delegated handler, and clears the
// messages of other forms when the user works in one.
(function () {
  "use strict";

  var saved = null; // {y, id, kind} from the request that is being answered

  function inEditor(el) {
    return el && el.closest && el.closest("#editor");
  }

  // Before any request from the editor: remember the scroll position and
  // where focus is, and clear old messages in the other forms.
  document.addEventListener("htmx:beforeRequest", function (e) {
    var elt = e.detail.elt;
    if (!inEditor(elt)) return;
    var active = document.activeElement;
    saved = { y: window.scrollY, id: active && active.id, elt: elt };
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

  function focusFirst(root, sel) {
    var el = root && root.querySelector(sel);
    if (el) el.focus({ preventScroll: true });
    return !!el;
  }

  // After the swap: put focus back where the user was — the same element
  // when it is still there, the add form's first field after an add, the
  // row's Edit button after a save or cancel, the next row after a delete —
  // and the scroll position where it was.
  document.addEventListener("htmx:afterSettle", function (e) {
    if (!saved) return;
    var s = saved;
    var target = e.detail.target;
    var active = document.activeElement;
    var lost = !active || active === document.body || !active.isConnected;
    if (target && target.matches && target.matches("form.add-form")) {
      var ok = e.detail.xhr && e.detail.xhr.status < 300;
      if (ok) focusFirst(target, "input:not([type=hidden]), select");
      else if (lost) focusFirst(target, ".field-invalid input, .field-invalid select, input:not([type=hidden])");
    } else if (lost && s.id && document.getElementById(s.id)) {
      document.getElementById(s.id).focus({ preventScroll: true });
    } else if (lost && target && target.matches && target.matches("tr")) {
      if (!focusFirst(target, "input:not([type=hidden]), [data-testid=edit], [data-testid=reload-section]")) focusFirst(target, "button");
    } else if (lost && s.next) {
      focusFirst(s.next, "[data-testid=edit]");
    }
    if (Math.abs(window.scrollY - s.y) > 1 && !s.elt.closest(".pager")) window.scrollTo(0, s.y);
    saved = null;
  });

  // A deleted row leaves nothing to focus: remember its neighbour.
  document.addEventListener("htmx:beforeSwap", function (e) {
    if (!saved) return;
    var t = e.detail.target;
    if (t && t.matches && t.matches("tr")) saved.next = t.nextElementSibling || t.previousElementSibling;
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
