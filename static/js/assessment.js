// The seven-sins self-assessment, one section at a time: a step list with answered counts, a
// progress bar, previous/next, and links from the error summary that open the right section.
// Without JavaScript every section is shown on one page and the same links still work.
(function () {
  "use strict";
  var form = document.getElementById("assessment-form");
  if (!form) {
    return;
  }
  var sections = Array.prototype.slice.call(form.querySelectorAll(".sin-section"));
  var steps = Array.prototype.slice.call(form.querySelectorAll("[data-step]"));
  var label = document.getElementById("assessment-progress-label");
  var bar = document.getElementById("assessment-progress");
  var current = 0;

  function answered(section) {
    return section.querySelectorAll("input[type=radio]:checked").length;
  }

  function questions(section) {
    return section.querySelectorAll("fieldset.warning-sign").length;
  }

  function refresh() {
    var done = 0;
    var total = 0;
    sections.forEach(function (section, index) {
      var n = answered(section);
      var of = questions(section);
      done += n;
      total += of;
      var count = form.querySelector("[data-count='" + section.getAttribute("data-section") + "']");
      if (count) {
        count.textContent = String(n);
      }
      steps[index].classList.toggle("sin-step-done", n === of);
      section.querySelectorAll("fieldset.warning-sign-missing").forEach(function (fieldset) {
        if (fieldset.querySelector("input:checked")) {
          fieldset.classList.remove("warning-sign-missing");
        }
      });
    });
    label.textContent = label.getAttribute("data-template").replace("{answered}", done).replace("{total}", total);
    bar.setAttribute("aria-valuenow", String(done));
    bar.firstElementChild.style.width = (total ? (100 * done / total) : 0) + "%";
  }

  function show(index, focus) {
    current = Math.max(0, Math.min(sections.length - 1, index));
    sections.forEach(function (section, i) {
      section.classList.toggle("current", i === current);
    });
    steps.forEach(function (step, i) {
      if (i === current) {
        step.setAttribute("aria-current", "step");
      } else {
        step.removeAttribute("aria-current");
      }
    });
    if (focus) {
      var heading = sections[current].querySelector("h2");
      heading.setAttribute("tabindex", "-1");
      heading.focus({preventScroll: true});
      sections[current].scrollIntoView({block: "start"});
    }
  }

  form.classList.add("stepper");
  form.querySelectorAll(".section-nav").forEach(function (nav) { nav.hidden = false; });

  form.addEventListener("change", function (event) {
    if (event.target.type === "radio") {
      refresh();
    }
  });
  form.addEventListener("click", function (event) {
    var step = event.target.closest("[data-step]");
    var go = event.target.closest("[data-step-go]");
    if (step) {
      event.preventDefault();
      show(parseInt(step.getAttribute("data-step"), 10), true);
    } else if (go) {
      show(current + parseInt(go.getAttribute("data-step-go"), 10), true);
    }
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-goto-question]");
    if (!link) {
      return;
    }
    var fieldset = document.getElementById(link.getAttribute("data-goto-question") + "-question");
    if (!fieldset) {
      return;
    }
    event.preventDefault();
    show(sections.indexOf(fieldset.closest(".sin-section")), false);
    fieldset.scrollIntoView({block: "center"});
    var first = fieldset.querySelector("input[type=radio]");
    if (first) {
      first.focus({preventScroll: true});
    }
  });

  // Start where there is something to do: the first unanswered question of the last submit, else
  // the first section not finished (a draft resumes where it stopped).
  var summary = document.getElementById("error-summary");
  var missing = form.querySelector(".warning-sign-missing");
  var start = missing ? sections.indexOf(missing.closest(".sin-section"))
    : sections.findIndex(function (section) { return answered(section) < questions(section); });
  show(start < 0 ? 0 : start, false);
  if (summary) {
    summary.focus();
  }
})();
