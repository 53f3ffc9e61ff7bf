// The rollout timeline: on a narrow screen the stage names on the axis give way to the stage
// numbers (the list below the chart names them), so the bars keep most of the width.
(function () {
  "use strict";
  var el = document.getElementById("rollout-timeline");
  if (!el) {
    return;
  }
  var shortened = null;

  function adjust() {
    if (!window.Plotly || el.getAttribute("data-rendered") !== "true" || !el.layout) {
      return;
    }
    var narrow = el.clientWidth < 576;
    if (narrow === shortened) {
      return;
    }
    shortened = narrow;
    var order = el.layout.yaxis.categoryarray || [];
    window.Plotly.relayout(el, {
      "yaxis.tickmode": narrow ? "array" : "auto",
      "yaxis.tickvals": narrow ? order : null,
      "yaxis.ticktext": narrow ? order.map(function (label) { return label.split(".")[0]; }) : null,
      "xaxis.nticks": narrow ? 4 : 0
    });
  }

  new MutationObserver(adjust).observe(el, { attributes: true, attributeFilter: ["data-rendered"] });
  var timer = null;
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    timer = setTimeout(adjust, 150);
  });
  adjust();
})();
