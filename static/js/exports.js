// Exports page: copy the calendar address to the clipboard (the CSP forbids inline scripts).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) {
      return;
    }
    var input = document.getElementById(button.getAttribute("data-copy"));
    if (!input) {
      return;
    }
    input.select();
    var done = function () {
      var original = button.innerHTML;
      button.textContent = button.getAttribute("data-copied");
      window.setTimeout(function () { button.innerHTML = original; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });
})();
