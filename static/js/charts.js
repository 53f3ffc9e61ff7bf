// Draws every <div class="plotly-chart" data-figure="id"> from the JSON in <script id="id">.
// Plotly and its locale are loaded only on pages that have a chart.
(function () {
  "use strict";
  var me = document.currentScript;
  var charts = document.querySelectorAll(".plotly-chart[data-figure]");
  if (!charts.length) {
    return;
  }
  var language = me.getAttribute("data-language") || "en";

  function load(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = src;
      s.onload = resolve;
      s.onerror = reject;
      document.head.appendChild(s);
    });
  }

  function draw() {
    var locale = window.PlotlyLocales && window.PlotlyLocales[language];
    if (locale) {
      window.Plotly.register(locale);
    }
    charts.forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-figure"));
      if (!source) {
        return;
      }
      var figure = JSON.parse(source.textContent);
      figure.layout = figure.layout || {};
      if (!figure.layout.height) {
        // Without a height Plotly sizes to the container, which is empty until drawn.
        figure.layout.height = parseInt(el.style.minHeight, 10) || 320;
      }
      var config = Object.assign({
        responsive: true,
        displaylogo: false,
        locale: language,
        modeBarButtons: [["toImage"]]
      }, figure.config || {});
      window.Plotly.newPlot(el, figure.data, figure.layout, config).then(function () {
        el.setAttribute("data-rendered", "true");
        el.style.minHeight = "";
      });
    });
  }

  load(me.getAttribute("data-plotly"))
    .then(function () { return load(me.getAttribute("data-locale")); })
    .then(draw)
    .catch(function () {
      charts.forEach(function (el) { el.setAttribute("data-rendered", "error"); });
    });
  // Charts are sized to their container; print them at the page width.
  window.addEventListener("beforeprint", function () {
    charts.forEach(function (el) { if (window.Plotly) { window.Plotly.Plots.resize(el); } });
  });
})();
