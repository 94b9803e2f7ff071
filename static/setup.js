// The setup page asks for archmap's public address, the origin share links
// are built from. The server can only guess it from the request; the
// browser knows the address the admin actually typed, so it fills that in
// unless the admin has already changed the field.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var input = document.querySelector("input[data-origin-default]");
    if (input && input.value === input.getAttribute("data-origin-default")) {
      input.value = window.location.origin;
    }
  });
})();
