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

  window.archmap = { showFlash: showFlash };
})();
