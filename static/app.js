// archmap's own script: no build step, no inline scripts (the CSP forbids
// them). It adds the CSRF header to htmx requests, dismisses messages, and
// makes the diagram interactive (pan/zoom, selection, highlighting, team
// filter, failure simulation marks). Text from the model only ever reaches
// the page through textContent or the server's escaped HTML.
(function () {
  "use strict";

  function csrfToken() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute("content") : "";
  }

  // Every htmx request carries the CSRF token as a header.
  document.addEventListener("htmx:configRequest", function (e) {
    e.detail.headers["X-CSRF-Token"] = csrfToken();
  });

  // Dismiss buttons of flash messages; a new message replaces the old.
  document.addEventListener("click", function (e) {
    var b = e.target.closest("[data-dismiss]");
    if (!b) return;
    var box = b.closest("." + b.getAttribute("data-dismiss"));
    if (box) box.remove();
  });

  // A request that failed without an answer (network down, server gone).
  document.addEventListener("htmx:sendError", function () {
    showFlash("The server could not be reached. Check your connection and try again.");
  });

  function showFlash(msg) {
    var region = document.getElementById("flash");
    if (!region) return;
    region.textContent = "";
    var box = document.createElement("div");
    box.className = "flash flash-error";
    box.setAttribute("role", "alert");
    var span = document.createElement("span");
    span.textContent = msg;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "flash-close";
    close.setAttribute("data-dismiss", "flash");
    close.setAttribute("aria-label", "Dismiss");
    close.textContent = "×";
    box.appendChild(span);
    box.appendChild(close);
    region.appendChild(box);
  }

  // A successful request clears an old error message.
  document.addEventListener("htmx:afterRequest", function (e) {
    if (e.detail.successful && e.detail.target && e.detail.target.id !== "flash") {
      var region = document.getElementById("flash");
      if (region) region.textContent = "";
    }
  });

  // Forms marked data-autosubmit (the diagram toolbar) apply on change.
  document.addEventListener("change", function (e) {
    var form = e.target.closest("form[data-autosubmit]");
    if (form && e.target.name) form.requestSubmit();
  });

  // ---- the diagram ----

  var diagram = null; // {holder, svg, data, owner: element id -> service name, panZoom}

  // readIsland reads the JSON data island of an element (data-island).
  function readIsland(id) {
    var el = document.getElementById(id);
    if (!el || !el.hasAttribute("data-island")) return null;
    try {
      return JSON.parse(el.getAttribute("data-island"));
    } catch (err) {
      return null;
    }
  }

  function initDiagram() {
    var holder = document.getElementById("diagram-svg");
    var svg = holder && holder.querySelector("svg");
    if (!svg) return;
    if (diagram && diagram.panZoom) diagram.panZoom.destroy();
    var data = readIsland("diagram-svg") || {};
    data.services = data.services || {};
    data.edges = data.edges || {};
    data.servers = data.servers || {};
    // owner maps an element to the one service it draws. A team's node
    // (services grouped by team) draws several and selects none.
    var owner = {};
    var shared = {};
    Object.keys(data.services).forEach(function (name) {
      (data.services[name].ids || []).forEach(function (id) {
        if (owner[id] && owner[id] !== name) shared[id] = true;
        owner[id] = name;
      });
    });
    Object.keys(shared).forEach(function (id) {
      delete owner[id];
    });
    // A team's node opens the team where the page can (diagram-page.js).
    var teamOf = {};
    if (window.archmap && window.archmap.openTeam && document.getElementById("diagram-page")) {
      Object.keys(data.teams || {}).forEach(function (team) {
        (data.teams[team] || []).forEach(function (id) {
          teamOf[id] = team;
          var el = document.getElementById(id);
          if (el) {
            el.setAttribute("tabindex", "0");
            el.setAttribute("role", "link");
            el.setAttribute("aria-label", "Open team " + team);
          }
        });
      });
    }
    Object.keys(owner).forEach(function (id) {
      var el = document.getElementById(id);
      if (el) {
        // Keyboard users reach services with Tab and pick them with Enter.
        el.setAttribute("tabindex", "0");
        el.setAttribute("role", "button");
        el.setAttribute("aria-label", owner[id]);
      }
    });
    // svg-pan-zoom writes a style attribute unless one with overflow is
    // there; set it through the CSSOM, which the CSP allows.
    svg.style.overflow = "hidden";
    var pz = null;
    if (window.svgPanZoom) {
      pz = window.svgPanZoom(svg, {
        zoomEnabled: true,
        // The wheel scrolls the page; diagram-page.js zooms on Ctrl/⌘+wheel,
        // pinch and keys.
        mouseWheelZoomEnabled: false,
        controlIconsEnabled: false,
        dblClickZoomEnabled: false,
        fit: true,
        center: true,
        minZoom: 0.05,
        maxZoom: 40,
        zoomScaleSensitivity: 0.3
      });
    }
    diagram = { holder: holder, svg: svg, data: data, owner: owner, panZoom: pz };
    fitDiagram();

    var down = null;
    svg.addEventListener("pointerdown", function (e) {
      down = { x: e.clientX, y: e.clientY };
    });
    svg.addEventListener("click", function (e) {
      // A drag that pans the diagram ends in a click; it selects nothing.
      if (down && Math.abs(e.clientX - down.x) + Math.abs(e.clientY - down.y) > 5) return;
      var node = e.target.closest("g.node");
      var name = node && owner[node.id];
      if (name) select(name, false);
      else if (node && teamOf[node.id]) window.archmap.openTeam(teamOf[node.id]);
      else clearSelection();
    });
    svg.addEventListener("keydown", function (e) {
      if (e.key !== "Enter" && e.key !== " ") return;
      var name = owner[e.target.id];
      var team = teamOf[e.target.id];
      if (!name && !team) return;
      e.preventDefault();
      if (name) select(name, false);
      else window.archmap.openTeam(team);
    });
    applyTeamFilter();
    applySimulation();
    document.dispatchEvent(new CustomEvent("archmap:diagram"));
  }

  // fitDiagram fits the diagram into its frame, but does not blow a small
  // one up past a readable size.
  var maxFitScale = 1.6;
  function fitDiagram() {
    var pz = diagram && diagram.panZoom;
    if (!pz) return;
    // diagram-page.js fits for readable labels where it is loaded.
    if (window.archmap && window.archmap.fitReadable) {
      window.archmap.fitReadable(diagram);
      return;
    }
    pz.resize();
    pz.fit();
    var real = pz.getSizes().realZoom;
    if (real > maxFitScale) pz.zoom(pz.getZoom() * maxFitScale / real);
    pz.center();
  }

  function elements(ids) {
    var out = [];
    (ids || []).forEach(function (id) {
      var el = document.getElementById(id);
      if (el && diagram.svg.contains(el)) out.push(el);
    });
    return out;
  }

  function mark(ids, cls) {
    elements(ids).forEach(function (el) {
      el.classList.add(cls);
    });
  }

  function unmark(classes) {
    classes.forEach(function (cls) {
      diagram.svg.querySelectorAll("." + cls).forEach(function (el) {
        el.classList.remove(cls);
      });
    });
  }

  function clearSelection() {
    if (!diagram) return;
    unmark(["is-selected", "is-upstream", "is-downstream", "is-related"]);
    diagram.holder.classList.remove("has-selection");
  }

  // select highlights a service with its upstream and downstream neighbours
  // and loads its details into the side panel.
  function select(name, center) {
    if (!diagram) return;
    var s = diagram.data.services[name];
    if (!s) return;
    clearSelection();
    diagram.holder.classList.add("has-selection");
    mark(s.ids, "is-selected");
    (s.up || []).forEach(function (u) {
      var n = diagram.data.services[u];
      if (n) mark(n.ids, "is-upstream");
      mark(diagram.data.edges[u + "->" + name], "is-related");
    });
    (s.down || []).forEach(function (d) {
      var n = diagram.data.services[d];
      if (n) mark(n.ids, "is-downstream");
      mark(diagram.data.edges[name + "->" + d], "is-related");
    });
    if (center) centerOn(s.ids);
    // An embedded diagram has no panel to fill.
    if (diagram.data.panel_url && window.htmx && document.getElementById("node-panel")) {
      window.htmx.ajax("GET", diagram.data.panel_url + "?service=" + encodeURIComponent(name), {
        target: "#node-panel",
        swap: "innerHTML"
      });
    }
  }

  function centerOn(ids) {
    var els = elements(ids);
    if (!els.length) return;
    var frame = document.getElementById("diagram-frame");
    if (frame) frame.scrollIntoView({ block: "nearest", behavior: "smooth" });
    if (diagram.panZoom) {
      var r = els[0].getBoundingClientRect();
      var f = diagram.svg.getBoundingClientRect();
      diagram.panZoom.panBy({
        x: f.left + f.width / 2 - (r.left + r.width / 2),
        y: f.top + f.height / 2 - (r.top + r.height / 2)
      });
    }
    els.forEach(function (el) {
      el.classList.add("is-flash");
      setTimeout(function () {
        el.classList.remove("is-flash");
      }, 1800);
    });
  }

  // subjectIDs maps a finding's subject ("service:a", "server:b",
  // "dependency:a->b") to the diagram elements that show it.
  function subjectIDs(subject) {
    var i = subject.indexOf(":");
    var kind = subject.slice(0, i);
    var name = subject.slice(i + 1);
    if (kind === "service") return (diagram.data.services[name] || {}).ids || [];
    if (kind === "server") return diagram.data.servers[name] || [];
    if (kind === "dependency") return diagram.data.edges[name] || [];
    return [];
  }

  document.addEventListener("click", function (e) {
    var b = e.target.closest("[data-subject], [data-service], [data-zoom], [data-sim-reset]");
    if (!b || !diagram) return;
    if (b.hasAttribute("data-zoom")) {
      var pz = diagram.panZoom;
      if (!pz) return;
      var z = b.getAttribute("data-zoom");
      if (z === "in") pz.zoomIn();
      else if (z === "out") pz.zoomOut();
      else fitDiagram();
    } else if (b.hasAttribute("data-sim-reset")) {
      var res = document.getElementById("sim-result");
      if (res) res.textContent = "";
      unmark(["sim-down", "sim-degraded", "sim-failed"]);
      var legend = document.getElementById("sim-legend");
      if (legend) legend.hidden = true;
    } else if (b.hasAttribute("data-service")) {
      select(b.getAttribute("data-service"), true);
    } else {
      var subject = b.getAttribute("data-subject");
      if (subject.indexOf("service:") === 0) select(subject.slice(8), true);
      else centerOn(subjectIDs(subject));
    }
  });

  function applyTeamFilter() {
    var sel = document.querySelector("[data-team-filter]");
    if (!diagram || !sel) return;
    var team = sel.value;
    unmark(["team-out"]);
    diagram.holder.classList.toggle("team-filter", team !== "");
    if (team === "") return;
    var services = diagram.data.services;
    Object.keys(services).forEach(function (name) {
      if (services[name].team !== team) mark(services[name].ids, "team-out");
    });
    Object.keys(diagram.data.edges).forEach(function (key) {
      var ends = key.split("->");
      var a = services[ends[0]];
      var b = services[ends[ends.length - 1]];
      if (!a || !b || a.team !== team || b.team !== team) mark(diagram.data.edges[key], "team-out");
    });
  }

  document.addEventListener("change", function (e) {
    if (e.target.matches("[data-team-filter]")) applyTeamFilter();
  });

  // applySimulation marks the diagram from the last simulation result.
  function applySimulation() {
    if (!diagram) return;
    unmark(["sim-down", "sim-degraded", "sim-failed"]);
    var sim = readIsland("sim-marks");
    var legend = document.getElementById("sim-legend");
    if (legend) legend.hidden = !sim || (sim.down.length + sim.degraded.length + sim.servers.length === 0);
    if (!sim) return;
    var services = diagram.data.services;
    (sim.down || []).forEach(function (n) {
      if (services[n]) mark(services[n].ids, "sim-down");
    });
    (sim.degraded || []).forEach(function (n) {
      if (services[n]) mark(services[n].ids, "sim-degraded");
    });
    (sim.servers || []).forEach(function (n) {
      mark(diagram.data.servers[n], "sim-failed");
    });
  }

  document.addEventListener("htmx:afterSwap", function (e) {
    var t = e.detail.target;
    if (!t) return;
    if (t.id === "diagram-content") initDiagram();
    else if (t.id === "sim-result") {
      applySimulation();
      document.dispatchEvent(new CustomEvent("archmap:simulation"));
    }
  });

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      fitDiagram();
    }, 150);
  });

  window.archmap = window.archmap || {};
  window.archmap.showFlash = showFlash;
  window.archmap.select = select;
  window.archmap.centerOn = function (ids) {
    if (diagram) centerOn(ids);
  };
  window.archmap.mark = function (ids, cls) {
    if (diagram) mark(ids, cls);
  };
  window.archmap.clearSelection = clearSelection;
  window.archmap.fit = fitDiagram;
  window.archmap.diagram = function () {
    return diagram;
  };
})();

// Copy buttons (data-copy="<input id>"), on every page (app, share pages):
// copy the input's value and say so in the nearest .copy-status, beside the
// button or for the whole group of copy rows.
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var btn = e.target.closest && e.target.closest("[data-copy]");
    if (!btn) return;
    var input = document.getElementById(btn.getAttribute("data-copy"));
    if (!input) return;
    var group = btn.closest(".embed-snippets");
    var status = btn.parentNode.querySelector(".copy-status") || (group && group.querySelector(".copy-status"));
    function said(msg) {
      if (status) status.textContent = msg;
    }
    function fallback() {
      // Plain http is no secure context: no async clipboard there.
      input.focus();
      input.select();
      var ok = false;
      try {
        ok = document.execCommand("copy");
      } catch (err) {
        ok = false;
      }
      said(ok ? "Copied." : "Selected: press Ctrl+C (⌘C) to copy.");
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(function () {
        said("Copied.");
      }, fallback);
    } else {
      fallback();
    }
  });
})();
