// The diagram page around the drawing that app.js makes interactive: a fit
// that keeps labels readable, zoom by Ctrl/⌘+wheel, pinch and keys (the plain
// wheel scrolls the page), the collapsible side panel, the search box and the
// failure set in the URL. Text from the model only reaches the page through
// textContent.
(function () {
  "use strict";

  var archmap = (window.archmap = window.archmap || {});

  // Labels are fitted to at least minLabelPx CSS pixels of font size (less
  // on a phone, held closer to the eye and with little width to pan in),
  // and a small diagram is not blown up past maxLabelPx.
  var minLabelPx = 11.5;
  var minPhoneLabelPx = 9.5;
  var maxLabelPx = 17;

  function current() {
    return archmap.diagram ? archmap.diagram() : null;
  }

  // labelFont is the median font size of the node labels (the legend left
  // out) in SVG units; times svg-pan-zoom's realZoom it is their size on
  // screen. (Read from the attributes, not the layout: svg-pan-zoom applies
  // a zoom on the next animation frame, so the layout lags behind.)
  function labelFont(svg) {
    var sizes = [];
    svg.querySelectorAll("g.node:not(.legend) text").forEach(function (t) {
      var fs = parseFloat(t.getAttribute("font-size"));
      if (fs > 0) sizes.push(fs);
    });
    if (!sizes.length) return 0;
    sizes.sort(function (a, b) {
      return a - b;
    });
    return sizes[Math.floor(sizes.length / 2)];
  }

  // place puts the drawing in the frame: centred along an axis it fits in,
  // from its start (top, left: where the flow begins) along one it does not.
  // Across the flow, a drawing taller than the frame is placed where the
  // most nodes at the flow's start are in sight: a ranked layout centres
  // its first ranks, so its top left corner may hold no node at all.
  function place(pz, svg) {
    var s = pz.getSizes();
    var vb = s.viewBox;
    var rz = s.realZoom;
    var pad = 12;
    var w = vb.width * rz;
    var h = vb.height * rz;
    var x = (w > s.width ? pad : (s.width - w) / 2) - vb.x * rz;
    var y = (h > s.height ? pad : (s.height - h) / 2) - vb.y * rz;
    if (h > s.height && svg) {
      var ys = [];
      nodeCentres(svg).forEach(function (p) {
        var sx = p.x * rz + x;
        if (sx > 0 && sx < s.width) ys.push(p.y * rz);
      });
      var best = bestWindow(ys, s.height - 2 * pad - 40);
      if (best !== null) {
        // The window's first node 20 px below the frame's top, within the
        // drawing's extent.
        y = Math.min(pad - vb.y * rz, Math.max(s.height - pad - (vb.y + vb.height) * rz, pad + 20 - best));
      }
    }
    pz.pan({ x: x, y: y });
  }

  // nodeCentres are the centres of the nodes (the legend left out) in the
  // drawing's own coordinates, which svg-pan-zoom's viewport maps to the
  // screen (screen = coordinate × realZoom + pan).
  function nodeCentres(svg) {
    var vp = svg.querySelector(".svg-pan-zoom_viewport");
    if (!vp || !vp.getCTM()) return [];
    var inv = vp.getCTM().inverse();
    var out = [];
    svg.querySelectorAll("g.node:not(.legend)").forEach(function (n) {
      var ctm = n.getCTM();
      if (!ctm) return;
      var b = n.getBBox();
      var p = svg.createSVGPoint();
      p.x = b.x + b.width / 2;
      p.y = b.y + b.height / 2;
      out.push(p.matrixTransform(inv.multiply(ctm)));
    });
    return out;
  }

  // bestWindow is where a window of length len over the sorted positions
  // holds the most of them (its start, the first one in it); null for none.
  function bestWindow(pos, len) {
    if (!pos.length) return null;
    pos.sort(function (a, b) {
      return a - b;
    });
    var best = 0;
    var bestCount = 0;
    var j = 0;
    for (var i = 0; i < pos.length; i++) {
      while (j < pos.length && pos[j] <= pos[i] + len) j++;
      if (j - i > bestCount) {
        bestCount = j - i;
        best = i;
      }
    }
    return pos[best];
  }

  // fitReadable fits the diagram into its frame unless that makes the
  // labels smaller than minLabelPx: then it shows what fits at that size and
  // leaves the rest to panning.
  archmap.fitReadable = function (diagram) {
    var pz = diagram.panZoom;
    var svg = diagram.svg;
    sizeFrame();
    pz.resize();
    pz.fit();
    var px = labelFont(svg) * pz.getSizes().realZoom;
    var min = pz.getSizes().width < 600 ? minPhoneLabelPx : minLabelPx;
    // Elsewhere (the findings view's diagram) the whole drawing is the
    // point: fitted, only not blown up.
    if (!document.getElementById("diagram-page")) min = 0;
    if (px > 0 && px < min) {
      pz.zoom((pz.getZoom() * min) / px);
    } else if (px > maxLabelPx) {
      pz.zoom((pz.getZoom() * maxLabelPx) / px);
    }
    place(pz, svg);
  };

  // sizeFrame makes the frame end at the bottom of the window as the page
  // opens, so the whole fitted drawing is in sight without scrolling.
  function sizeFrame() {
    var frame = document.getElementById("diagram-frame");
    if (!frame || window.scrollY > 0) return;
    var top = frame.getBoundingClientRect().top + window.scrollY;
    document.documentElement.style.setProperty("--diagram-top", Math.round(top) + "px");
  }

  // ---- zoom: Ctrl/⌘+wheel (a touchpad pinch arrives as one), touch pinch, keys ----

  function zoomBy(factor, clientX, clientY) {
    var d = current();
    if (!d || !d.panZoom) return;
    var r = d.svg.getBoundingClientRect();
    var x = clientX === undefined ? r.width / 2 : clientX - r.left;
    var y = clientY === undefined ? r.height / 2 : clientY - r.top;
    d.panZoom.zoomAtPointBy(factor, { x: x, y: y });
  }

  document.addEventListener(
    "wheel",
    function (e) {
      if (!(e.ctrlKey || e.metaKey)) return; // the page scrolls
      var frame = e.target.closest && e.target.closest(".diagram-frame");
      if (!frame || !current()) return;
      e.preventDefault();
      var step = e.deltaMode === 1 ? 0.05 : 0.0025;
      zoomBy(Math.exp(-e.deltaY * step), e.clientX, e.clientY);
    },
    { passive: false }
  );

  var pinch = null;
  function touchDistance(t) {
    return Math.hypot(t[0].clientX - t[1].clientX, t[0].clientY - t[1].clientY);
  }
  document.addEventListener(
    "touchstart",
    function (e) {
      if (e.touches.length !== 2 || !e.target.closest || !e.target.closest(".diagram-frame")) return;
      pinch = { dist: touchDistance(e.touches) };
    },
    { passive: true }
  );
  document.addEventListener(
    "touchmove",
    function (e) {
      if (!pinch || e.touches.length !== 2) return;
      e.preventDefault();
      var dist = touchDistance(e.touches);
      if (pinch.dist > 0) {
        zoomBy(
          dist / pinch.dist,
          (e.touches[0].clientX + e.touches[1].clientX) / 2,
          (e.touches[0].clientY + e.touches[1].clientY) / 2
        );
      }
      pinch.dist = dist;
    },
    { passive: false }
  );
  document.addEventListener("touchend", function (e) {
    if (e.touches.length < 2) pinch = null;
  });

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    var t = e.target;
    if (t.closest && t.closest("input, select, textarea, [contenteditable]")) return;
    var d = current();
    if (!d || !d.panZoom) return;
    if (e.key === "+" || e.key === "=") d.panZoom.zoomIn();
    else if (e.key === "-" || e.key === "−") d.panZoom.zoomOut();
    else if (e.key === "0") archmap.fit();
    else return;
    e.preventDefault();
  });

  // ---- the side panel can be hidden to give the diagram the width ----

  var sideKey = "archmap.diagram.side";
  function setSide(hidden) {
    var layout = document.getElementById("diagram-layout");
    var b = document.querySelector("[data-side-toggle]");
    if (!layout || !b) return;
    layout.classList.toggle("side-collapsed", hidden);
    b.setAttribute("aria-expanded", hidden ? "false" : "true");
    b.textContent = hidden ? "Show panel" : "Hide panel";
  }
  document.addEventListener("click", function (e) {
    var b = e.target.closest("[data-side-toggle]");
    if (!b) return;
    var hidden = b.getAttribute("aria-expanded") === "true";
    setSide(hidden);
    try {
      localStorage.setItem(sideKey, hidden ? "hidden" : "shown");
    } catch (err) {
      // Storage refused (private mode): the choice lasts for this page.
    }
    if (archmap.fit) archmap.fit();
  });
  function restoreSide() {
    var hidden = false;
    try {
      hidden = localStorage.getItem(sideKey) === "hidden";
    } catch (err) {
      hidden = false;
    }
    if (hidden) setSide(true);
  }

  // ---- search: a service or server by name, as you type ----

  var searchTimer = null;

  function places() {
    var input = document.getElementById("diagram-search");
    if (!input) return {};
    try {
      return JSON.parse(input.getAttribute("data-places") || "{}") || {};
    } catch (err) {
      return {};
    }
  }

  // matches ranks the names containing q: exact, then prefix, then
  // anywhere; alphabetical within each.
  function matches(q) {
    var d = current();
    q = q.trim().toLowerCase();
    if (!d || !q) return [];
    var out = [];
    Object.keys(d.data.services).forEach(function (n) {
      out.push({ kind: "service", name: n });
    });
    Object.keys(places()).forEach(function (n) {
      out.push({ kind: "server", name: n });
    });
    out = out.filter(function (m) {
      return m.name.toLowerCase().indexOf(q) >= 0;
    });
    function rank(m) {
      var n = m.name.toLowerCase();
      return n === q ? 0 : n.indexOf(q) === 0 ? 1 : 2;
    }
    out.sort(function (a, b) {
      return rank(a) - rank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    });
    return out;
  }

  function pick(m) {
    var d = current();
    if (!d || !m) return;
    if (m.kind === "service") {
      archmap.select(m.name, true);
      return;
    }
    // A server: its box in the deployment view; in the services view, the
    // services that run on it.
    archmap.clearSelection();
    var ids = d.data.servers[m.name] || [];
    if (!ids.length) {
      (places()[m.name] || []).forEach(function (s) {
        if (d.data.services[s]) ids = ids.concat(d.data.services[s].ids || []);
      });
      if (ids.length) d.holder.classList.add("has-selection");
    }
    archmap.mark(ids, "is-selected");
    archmap.centerOn(ids);
    if (archmap.showServer) archmap.showServer(m.name);
  }

  function showMatches(list) {
    var ul = document.getElementById("diagram-search-results");
    if (!ul) return;
    ul.textContent = "";
    list.slice(0, 8).forEach(function (m) {
      var li = document.createElement("li");
      var b = document.createElement("button");
      b.type = "button";
      b.setAttribute("role", "option");
      b.setAttribute("data-search-kind", m.kind);
      b.setAttribute("data-search-name", m.name);
      var name = document.createElement("span");
      name.textContent = m.name;
      var kind = document.createElement("span");
      kind.className = "muted";
      kind.textContent = " " + m.kind;
      b.appendChild(name);
      b.appendChild(kind);
      li.appendChild(b);
      ul.appendChild(li);
    });
    ul.hidden = list.length === 0;
  }

  document.addEventListener("input", function (e) {
    if (e.target.id !== "diagram-search") return;
    clearTimeout(searchTimer);
    var q = e.target.value;
    searchTimer = setTimeout(function () {
      var list = matches(q);
      showMatches(list);
      if (list.length) pick(list[0]);
      else if (q.trim() === "") archmap.clearSelection();
    }, 120);
  });
  document.addEventListener("keydown", function (e) {
    if (e.target.id !== "diagram-search") return;
    if (e.key === "Enter") {
      // Enter picks the best match rather than submitting the toolbar.
      e.preventDefault();
      pick(matches(e.target.value)[0]);
    } else if (e.key === "Escape") {
      e.target.value = "";
      showMatches([]);
    }
  });
  document.addEventListener("click", function (e) {
    var b = e.target.closest("[data-search-name]");
    if (b) {
      pick({ kind: b.getAttribute("data-search-kind"), name: b.getAttribute("data-search-name") });
      showMatches([]);
      return;
    }
    if (!e.target.closest(".diagram-search-field")) showMatches([]);
  });

  // ---- servers: a details panel, from the diagram, search and findings ----

  archmap.showServer = function (name) {
    var d = current();
    if (!d || !d.data.panel_url || !window.htmx || !document.getElementById("node-panel")) return;
    window.htmx.ajax("GET", d.data.panel_url + "?server=" + encodeURIComponent(name), {
      target: "#node-panel",
      swap: "innerHTML"
    });
  };

  // A click on a server's box (deployment view) opens its panel; a drag
  // that pans ends in a click too, and opens nothing.
  var pressed = null;
  document.addEventListener("pointerdown", function (e) {
    pressed = { x: e.clientX, y: e.clientY };
  });
  document.addEventListener("click", function (e) {
    var d = current();
    if (!d || !d.svg.contains(e.target) || e.target.closest("g.node")) return;
    if (pressed && Math.abs(e.clientX - pressed.x) + Math.abs(e.clientY - pressed.y) > 5) return;
    var cluster = e.target.closest("g.cluster");
    if (!cluster) return;
    Object.keys(d.data.servers).forEach(function (name) {
      if ((d.data.servers[name] || []).indexOf(cluster.id) >= 0) {
        archmap.mark([cluster.id], "is-selected");
        archmap.showServer(name);
      }
    });
  });

  // A server named by a finding: its box, or what runs on it, and its panel.
  document.addEventListener("click", function (e) {
    var b = e.target.closest('[data-subject^="server:"]');
    if (b) pick({ kind: "server", name: b.getAttribute("data-subject").slice(7) });
  });

  // ---- a finding's subject not on this diagram: open the view that has it ----

  function onDiagram(subject) {
    var d = current();
    var i = subject.indexOf(":");
    var kind = subject.slice(0, i);
    var name = subject.slice(i + 1);
    if (kind === "service") return !!d.data.services[name];
    if (kind === "dependency") return !!(d.data.edges[name] || []).length;
    if (kind === "server") {
      if ((d.data.servers[name] || []).length) return true;
      return (places()[name] || []).some(function (s) {
        return !!d.data.services[s];
      });
    }
    return true;
  }

  document.addEventListener("click", function (e) {
    var b = e.target.closest("[data-subject]");
    var d = current();
    if (!b || !d || !document.getElementById("diagram-page")) return;
    var subject = b.getAttribute("data-subject");
    if (onDiagram(subject)) return;
    // Left out by a focus, or a server the services view cannot show: the
    // whole system, in the deployment view for a server, then show it.
    var u = new URL(location.href);
    u.searchParams.delete("focus");
    u.searchParams.delete("depth");
    if (subject.indexOf("server:") === 0) u.searchParams.set("view", "deployment");
    u.hash = "show=" + encodeURIComponent(subject);
    location.assign(u.pathname + u.search + u.hash);
  });

  // showFromHash shows the subject a finding's link came here for.
  function showFromHash() {
    if (location.hash.indexOf("#show=") !== 0) return;
    var subject = decodeURIComponent(location.hash.slice(6));
    history.replaceState(history.state, "", location.pathname + location.search);
    var d = current();
    if (!d || !onDiagram(subject)) return;
    var i = subject.indexOf(":");
    var kind = subject.slice(0, i);
    var name = subject.slice(i + 1);
    if (kind === "service") archmap.select(name, true);
    else if (kind === "server") pick({ kind: "server", name: name });
    else if (kind === "dependency") {
      archmap.mark(d.data.edges[name], "is-selected");
      archmap.centerOn(d.data.edges[name]);
    }
  }
  document.addEventListener("archmap:diagram", showFromHash);

  // ---- teams: a click on a team's node opens it in place ----

  // withTeam sets (or, for "", removes) the team of a URL.
  function withTeam(href, team) {
    var u = new URL(href, location.href);
    if (team) u.searchParams.set("team", team);
    else u.searchParams.delete("team");
    return u.pathname + u.search + u.hash;
  }

  // showTeam loads the diagram of the address's team into the frame and
  // makes the toolbar's links and fields carry it, so that switching view,
  // downloading or changing an option keeps the team open.
  function showTeam(team) {
    var content = document.getElementById("diagram-content");
    if (!content || !window.htmx) return false;
    var path = (content.getAttribute("hx-get") || "").split("?")[0];
    var q = new URLSearchParams(location.search);
    q.delete("fail"); // the simulation is the page's, not the drawing's
    if (team) q.set("team", team);
    else q.delete("team");
    var url = path + "?" + q.toString();
    content.setAttribute("hx-get", url);
    document.querySelectorAll(".view-tabs a[href], .toolbar-end a[download]").forEach(function (a) {
      a.setAttribute("href", withTeam(a.getAttribute("href"), team));
    });
    var input = document.querySelector("[data-team-input]");
    if (input) {
      input.value = team;
      input.disabled = !team;
    }
    // From the content element, so that its loading indicator shows.
    window.htmx.ajax("GET", url, { source: content, target: "#diagram-content", swap: "innerHTML" });
    return true;
  }

  // openTeam opens a team ("" goes back to the overview) as a new entry of
  // the browser's history: back returns to where the user was.
  archmap.openTeam = function (team) {
    if (!document.getElementById("diagram-page")) return;
    var href = withTeam(location.href, team);
    if (!window.htmx) {
      location.assign(href);
      return;
    }
    history.pushState({ team: team }, "", href);
    showTeam(team);
  };

  document.addEventListener("click", function (e) {
    var a = e.target.closest("a[data-open-team]");
    if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    archmap.openTeam(a.getAttribute("data-open-team"));
  });

  // Focusing on a service leaves the opened team: the focus draws its own
  // neighbourhood, whatever team it is in. (In the capture phase: before
  // app.js submits the toolbar on the same change.)
  document.addEventListener(
    "change",
    function (e) {
      if (e.target.id !== "opt-focus") return;
      var input = document.querySelector("[data-team-input]");
      if (input) input.disabled = true;
    },
    true
  );

  window.addEventListener("popstate", function () {
    if (!document.getElementById("diagram-page")) return;
    showTeam(new URLSearchParams(location.search).get("team") || "");
  });

  // ---- failure simulation: the failure set lives in the URL ----

  // failParam reads ?fail=zone:a,service:b (repeated fail= too). A name may
  // hold a comma: a value that is one whole item of the form is not split.
  function failParam() {
    var out = [];
    var form = simForm();
    new URLSearchParams(location.search).getAll("fail").forEach(function (v) {
      var whole = form && Array.prototype.some.call(form.querySelectorAll('input[name="fail"]'), function (i) {
        return i.value === v;
      });
      (whole ? [v] : v.split(",")).forEach(function (item) {
        if (item) out.push(item);
      });
    });
    return out;
  }

  function simForm() {
    return document.getElementById("sim-form");
  }

  function ticked() {
    var form = simForm();
    if (!form) return [];
    // Ticked boxes, and what is typed in the fields of a model with too
    // many servers or services to list.
    var out = [];
    form.querySelectorAll('input[name="fail"]').forEach(function (i) {
      var v = i.value.trim();
      if (v && (i.type === "checkbox" ? i.checked : true)) out.push(v);
    });
    return out;
  }

  // withFail writes the failure set into a URL, readable
  // (?fail=zone:a,service:b): one fail= of items joined by commas, and a
  // fail= of its own, comma escaped, for an item whose name has one.
  function withFail(href, fail) {
    var u = new URL(href, location.href);
    u.searchParams.delete("fail");
    var parts = u.search ? [u.search.slice(1)] : [];
    var plain = fail.filter(function (f) {
      return f.indexOf(",") < 0;
    });
    function enc(s) {
      return encodeURIComponent(s).replace(/%3A/gi, ":");
    }
    if (plain.length) parts.push("fail=" + plain.map(enc).join(","));
    fail.forEach(function (f) {
      if (f.indexOf(",") >= 0) parts.push("fail=" + enc(f));
    });
    return u.pathname + (parts.length ? "?" + parts.join("&") : "") + u.hash;
  }

  // keepFail writes the ticked failures into the address, the view tabs and
  // the toolbar, so that reloading or switching view keeps the simulation,
  // and dims the risk colours while one is on.
  function keepFail() {
    var fail = ticked();
    history.replaceState(history.state, "", withFail(location.href, fail));
    document.querySelectorAll(".view-tabs a[href]").forEach(function (a) {
      a.setAttribute("href", withFail(a.getAttribute("href"), fail));
    });
    var input = document.querySelector("[data-fail-input]");
    if (input) {
      input.value = fail.join(",");
      input.disabled = fail.length === 0;
    }
    markSimOn(fail.length > 0);
  }

  function markSimOn(on) {
    var holder = document.getElementById("diagram-svg");
    if (holder) holder.classList.toggle("sim-on", on);
  }

  function simulate() {
    var form = simForm();
    if (form) form.requestSubmit();
  }

  // restoreFail ticks what the address fails and runs the simulation.
  function restoreFail() {
    var form = simForm();
    var fail = failParam();
    if (!form || !fail.length) return;
    var rest = fail.slice();
    form.querySelectorAll('input[name="fail"][type="checkbox"]').forEach(function (i) {
      i.checked = fail.indexOf(i.value) >= 0;
      if (i.checked) rest.splice(rest.indexOf(i.value), 1);
    });
    // What has no box goes in the text fields, where there are some.
    form.querySelectorAll('input[name="fail"][type="text"]').forEach(function (i) {
      i.value = rest.shift() || "";
    });
    if (fail.some(function (f) {
      return f.indexOf("service:") === 0;
    })) {
      var details = form.querySelector("details");
      if (details) details.open = true;
    }
    simulate();
  }

  // Ticking or unticking runs the simulation at once.
  document.addEventListener("change", function (e) {
    if (e.target.name === "fail" && e.target.closest("#sim-form")) simulate();
  });
  document.addEventListener("reset", function (e) {
    if (e.target.id !== "sim-form") return;
    // The form resets after this event: write the address afterwards.
    setTimeout(keepFail, 0);
  });
  document.addEventListener("click", function (e) {
    var b = e.target.closest("[data-fail-service], [data-fail-server]");
    if (!b) return;
    var form = simForm();
    if (!form) return;
    var value = b.hasAttribute("data-fail-server")
      ? "server:" + b.getAttribute("data-fail-server")
      : "service:" + b.getAttribute("data-fail-service");
    var found = false;
    form.querySelectorAll('input[name="fail"][type="checkbox"]').forEach(function (i) {
      if (i.value === value) found = i.checked = true;
    });
    if (!found && ticked().indexOf(value) < 0) {
      // Too many to list: the first empty text field takes it.
      var empty = Array.prototype.filter.call(form.querySelectorAll('input[name="fail"][type="text"]'), function (i) {
        return !i.value.trim();
      })[0];
      if (empty) empty.value = value;
    }
    simulate();
  });
  document.addEventListener("archmap:simulation", keepFail);
  document.addEventListener("archmap:diagram", function () {
    markSimOn(ticked().length > 0 && !!document.querySelector("#sim-result [data-testid=sim-summary]"));
  });

  // ---- the share page's embedding snippets ----

  // fillOrigin makes the snippets absolute with the address the browser
  // used, when the server knows no public address of its own.
  function fillOrigin() {
    document.querySelectorAll("input[data-path][data-origin]").forEach(function (i) {
      if (i.getAttribute("data-origin")) return;
      var path = i.getAttribute("data-path");
      i.value = i.value.split(path).join(location.origin + path);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    fillOrigin();
    restoreSide();
    sizeFrame();
    // After htmx has set up the simulation form (its own DOMContentLoaded).
    setTimeout(restoreFail, 0);
  });
})();
