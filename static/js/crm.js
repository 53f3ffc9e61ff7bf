// CRM pages: name suggestions for account and contact fields, and progress of long imports.
(function () {
  "use strict";

  // <input data-lookup="accounts" list="accounts-suggestions"> inside <form data-lookup-url=".../KIND">:
  // as the person types, fill the datalist with matching names from the server.
  function suggest(input) {
    var form = input.form;
    var base = form && form.getAttribute("data-lookup-url");
    var list = document.getElementById(input.getAttribute("list"));
    var term = input.value.trim();
    if (!base || !list || term.length < 1 || /\(#\d+\)$/.test(term)) {
      return;
    }
    var url = base.replace("KIND", input.getAttribute("data-lookup")) + "?q=" + encodeURIComponent(term);
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (rows) {
        list.textContent = "";
        rows.forEach(function (row) {
          var option = document.createElement("option");
          option.value = row.value;
          if (row.label) {
            option.label = row.label;
          }
          list.appendChild(option);
        });
      })
      .catch(function () { /* suggestions are a convenience; typing still works */ });
  }

  var timer = null;
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[data-lookup]")) {
      return;
    }
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { suggest(input); }, 200);
  });

  // <form data-progress-url="..."> with a hidden .import-progress block: while the form is being
  // processed by the server, poll the progress and show it.
  document.querySelectorAll("form[data-progress-url]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var box = form.querySelector(".import-progress");
      if (!box) {
        return;
      }
      var bar = box.querySelector(".progress-bar");
      var holder = box.querySelector("[role=progressbar]");
      var label = box.querySelector("[data-rows-label]");
      box.hidden = false;
      form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (button) {
        window.setTimeout(function () { button.disabled = true; }, 0);
      });
      var url = form.getAttribute("data-progress-url");
      window.setInterval(function () {
        fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
          .then(function (response) { return response.ok ? response.json() : null; })
          .then(function (state) {
            if (!state) {
              return;
            }
            var percent = Math.round((state.fraction || 0) * 100);
            bar.style.width = percent + "%";
            holder.setAttribute("aria-valuenow", String(percent));
            label.textContent = percent + "% · " + (state.rows || 0).toLocaleString(document.body.getAttribute("data-region") || document.documentElement.lang) +
              " " + label.getAttribute("data-rows-label");
          })
          .catch(function () {});
      }, 700);
    });
  });
})();
