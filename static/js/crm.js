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

  // <div data-job-progress="URL"> on an import page while its check or import runs in the worker:
  // poll the job's progress (JSON) and show it; when the work is over, reload to show the result.
  document.querySelectorAll("[data-job-progress]").forEach(function (box) {
    var url = box.getAttribute("data-job-progress");
    var bar = box.querySelector(".progress-bar");
    var holder = box.querySelector("[role=progressbar]");
    var label = box.querySelector("[data-rows-label]");
    var timer = window.setInterval(function () {
      fetch(url, {credentials: "same-origin", cache: "no-store", headers: {"Accept": "application/json"}})
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (state) {
          if (!state) {
            return;
          }
          if (state.state !== "queued" && state.state !== "running") {
            window.clearInterval(timer);
            window.location.reload();
            return;
          }
          var percent = Math.round((state.fraction || 0) * 100);
          bar.style.width = percent + "%";
          holder.setAttribute("aria-valuenow", String(percent));
          label.textContent = percent + "% · " + (state.rows || 0).toLocaleString(document.body.getAttribute("data-region") || document.documentElement.lang) +
            " " + label.getAttribute("data-rows-label");
        })
        .catch(function () {});
    }, 1000);
  });
})();
