// Small behaviours that would otherwise need inline scripts (the CSP forbids them).
(function () {
  "use strict";
  // <form data-confirm="…">: ask in the app's own dialog (templates/_confirm_modal.html) before submitting.
  // The dialog's button repeats the action's own label; a destructive action gets a red button.
  var pending = null;
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (!question) {
      return;
    }
    if (form.getAttribute("data-confirmed") === "true") {
      form.removeAttribute("data-confirmed");
      return;
    }
    var dialog = document.getElementById("confirm-modal");
    if (!dialog || !window.bootstrap) {
      return;  // Bootstrap's script is always served with the page; without it the action goes ahead
    }
    event.preventDefault();
    var submitter = event.submitter || form.querySelector("[type=submit]");
    var accept = dialog.querySelector("[data-confirm-accept]");
    var label = submitter ? submitter.textContent.trim() : "";
    var destructive = !!(submitter && /danger/.test(submitter.className));
    dialog.querySelector("#confirm-modal-question").textContent = question;
    accept.textContent = label || accept.getAttribute("data-default-label");
    accept.className = "btn " + (destructive ? "btn-danger" : "btn-primary");
    pending = {form: form, submitter: submitter, accepted: false};
    window.bootstrap.Modal.getOrCreateInstance(dialog).show();
  }, true);
  document.addEventListener("click", function (event) {
    var accept = event.target.closest && event.target.closest("[data-confirm-accept]");
    if (!accept || !pending) {
      return;
    }
    pending.accepted = true;
    window.bootstrap.Modal.getOrCreateInstance(document.getElementById("confirm-modal")).hide();
  });
  document.addEventListener("shown.bs.modal", function (event) {
    if (event.target.id === "confirm-modal") {
      // The safe choice has the focus: Enter or Space on a destructive action needs a deliberate Tab.
      event.target.querySelector("[data-confirm-cancel]").focus();
    }
  });
  document.addEventListener("hidden.bs.modal", function (event) {
    if (event.target.id !== "confirm-modal" || !pending) {
      return;
    }
    var done = pending;
    pending = null;
    if (done.accepted) {
      done.form.setAttribute("data-confirmed", "true");
      if (done.form.requestSubmit) {
        done.form.requestSubmit(done.submitter || undefined);
      } else {
        done.form.submit();
      }
    } else if (done.submitter) {
      done.submitter.focus();
    }
  });
  // <select data-autosubmit>: submit the surrounding form on change.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form) {
      el.form.requestSubmit ? el.form.requestSubmit() : el.form.submit();
    }
  });
  // <button data-print>: open the print dialog.
  document.addEventListener("click", function (event) {
    var el = event.target.closest && event.target.closest("[data-print]");
    if (el) {
      event.preventDefault();
      window.print();
    }
  });
  // <button data-copy="input-id" data-copied="Copied">: copy that field's value to the clipboard.
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
  // Tables wider than their box scroll sideways; keyboard users reach that scroll through a tab stop.
  function focusableScrollers() {
    document.querySelectorAll(".table-responsive").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
      } else if (box.getAttribute("tabindex") === "0") {
        box.removeAttribute("tabindex");
      }
    });
  }
  focusableScrollers();
  window.addEventListener("resize", focusableScrollers);
})();
