// findings.js: the findings view's diagram. The page lists the findings
// that pass its filter and carries, in the #findings-marks data island, the
// diagram elements of every one of them (not only those on the page). This
// script outlines exactly those elements on the diagram beside the list:
// open findings by their worst severity, accepted ones dashed grey. It runs
// again whenever htmx swaps the list (a filter change) or the diagram in.
(function () {
  "use strict";

  var SEVERITIES = ["high", "medium", "low", "info"];

  function readMarks() {
    var el = document.getElementById("findings-marks");
    if (!el) return null;
    try {
      return JSON.parse(el.getAttribute("data-marks") || "{}");
    } catch (e) {
      return null;
    }
  }

  function outline() {
    var frame = document.getElementById("findings-diagram");
    var marks = readMarks();
    if (!frame || !marks || !frame.querySelector("svg")) return;
    frame.classList.add("fo-active");
    var open = marks.open || {};
    var accepted = marks.accepted || {};
    var items = frame.querySelectorAll("g.node[id], g.edge[id], g.cluster[id]");
    var counts = { open: 0, accepted: 0 };
    for (var i = 0; i < items.length; i++) {
      var g = items[i];
      for (var j = 0; j < SEVERITIES.length; j++) g.classList.remove("fo-" + SEVERITIES[j]);
      g.classList.remove("fo-accepted");
      var sev = open[g.id];
      if (sev) {
        g.classList.add("fo-" + sev);
        counts.open++;
      } else if (accepted[g.id]) {
        g.classList.add("fo-accepted");
        counts.accepted++;
      }
    }
    frame.setAttribute("data-outlined", String(counts.open));
    frame.setAttribute("data-outlined-accepted", String(counts.accepted));
  }

  // "Show on diagram" flashes the finding's elements on the diagram beside
  // the list when they are there; otherwise the link opens the diagram tab
  // focused on the finding.
  function showOnDiagram(e) {
    var link = e.target.closest && e.target.closest("a.show-on-diagram");
    if (!link) return;
    var frame = document.getElementById("findings-diagram");
    if (!frame) return;
    var ids = (link.getAttribute("data-targets") || "").split(" ").filter(Boolean);
    var found = [];
    for (var i = 0; i < ids.length; i++) {
      var el = frame.querySelector("#" + CSS.escape(ids[i]));
      if (el) found.push(el);
    }
    if (found.length === 0) return;
    e.preventDefault();
    frame.scrollIntoView({ block: "nearest", behavior: "smooth" });
    found.forEach(function (el) {
      el.classList.add("is-flash", "fo-focus");
      setTimeout(function () {
        el.classList.remove("is-flash", "fo-focus");
      }, 2500);
    });
  }

  document.addEventListener("click", showOnDiagram);
  document.addEventListener("htmx:afterSettle", outline);
  document.addEventListener("DOMContentLoaded", outline);
})();
