// The import form: refuse files over the size bound before sending them,
// saying so next to the file input (the server would refuse them too, but
// only after the whole upload). Delegated from the document, so it works
// on whatever page holds the form.
(function () {
  "use strict";

  // tooLarge returns the message for a file input whose files exceed its
  // data-max-bytes, or "".
  function tooLarge(input) {
    var max = parseInt(input.getAttribute("data-max-bytes"), 10);
    if (!max || !input.files) return "";
    var total = 0;
    for (var i = 0; i < input.files.length; i++) total += input.files[i].size;
    if (total <= max) return "";
    var mib = function (n) { return (n / 1048576).toFixed(1) + " MiB"; };
    return "The chosen files are " + mib(total) + " in all; at most " + mib(max) + " can be imported. Choose fewer or smaller files.";
  }

  function check(input) {
    var box = document.getElementById(input.id + "-size");
    var msg = tooLarge(input);
    if (box) {
      box.textContent = msg;
      box.hidden = msg === "";
    }
    input.setAttribute("aria-invalid", msg ? "true" : "false");
    return msg === "";
  }

  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("input[type=file][data-max-bytes]")) check(e.target);
  });

  function guard(form, e) {
    var inputs = form.querySelectorAll("input[type=file][data-max-bytes]");
    for (var i = 0; i < inputs.length; i++) {
      if (!check(inputs[i])) {
        e.preventDefault();
        inputs[i].focus();
        return;
      }
    }
  }
  // htmx sends the form itself: cancel its request; a plain submit too.
  document.addEventListener("htmx:beforeRequest", function (e) {
    var form = e.detail && e.detail.elt;
    if (form && form.tagName === "FORM") guard(form, e);
  });
  document.addEventListener("submit", function (e) { guard(e.target, e); }, true);
})();
