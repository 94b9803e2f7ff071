// The History tab's compare diagram: colour each element by how the change
// touched it (added, removed, changed), from the fragment's data island.
// Risk outlines are not drawn here; the colours mean change only.
(function () {
  "use strict";

  function markChanges(root) {
    var holders = root.querySelectorAll ? root.querySelectorAll("[data-compare-marks]") : [];
    Array.prototype.forEach.call(holders, function (holder) {
      if (holder.dataset.marked) return;
      holder.dataset.marked = "1";
      var marks;
      try {
        marks = JSON.parse(holder.getAttribute("data-compare-marks"));
      } catch (e) {
        return;
      }
      marks.forEach(function (pair) {
        var el = document.getElementById(pair[0]);
        if (el && holder.contains(el)) el.classList.add("chg-" + pair[1]);
      });
    });
  }

  document.addEventListener("htmx:afterSettle", function (e) {
    markChanges(e.target);
  });
  document.addEventListener("DOMContentLoaded", function () {
    markChanges(document);
  });
})();
