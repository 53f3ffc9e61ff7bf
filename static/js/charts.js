// Draws every <div class="plotly-chart" data-figure="id"> from the JSON in <script id="id">.
// Plotly (static/vendor/plotly, about 0.4 MB compressed) and its locale are fetched only when a chart
// comes near the screen, so pages whose charts are out of view, or that have none, never load it.
(function () {
  "use strict";
  var me = document.currentScript;
  var charts = Array.prototype.slice.call(document.querySelectorAll(".plotly-chart[data-figure]"));
  if (!charts.length) {
    return;
  }
  var language = me.getAttribute("data-language") || "en";
  var plotly = null;

  function load(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = src;
      s.onload = resolve;
      s.onerror = reject;
      document.head.appendChild(s);
    });
  }

  function ready() {
    if (!plotly) {
      plotly = load(me.getAttribute("data-plotly"))
        .then(function () { return load(me.getAttribute("data-locale")); })
        .then(function () {
          var locale = window.PlotlyLocales && window.PlotlyLocales[language];
          if (locale) {
            window.Plotly.register(locale);
          }
        });
    }
    return plotly;
  }

  function draw(el) {
    if (el.hasAttribute("data-rendered")) {
      return;
    }
    el.setAttribute("data-rendered", "loading");
    ready().then(function () {
      var source = document.getElementById(el.getAttribute("data-figure"));
      var figure = JSON.parse(source.textContent);
      figure.layout = figure.layout || {};
      if (!figure.layout.height) {
        // Without a height Plotly sizes to the container, which is empty until drawn.
        figure.layout.height = parseInt(el.style.minHeight, 10) || 320;
      }
      // No toolbar: its buttons cannot be reached with the keyboard, and the page says what the chart shows.
      var config = Object.assign({responsive: true, displaylogo: false, displayModeBar: false, locale: language},
                                 figure.config || {});
      return window.Plotly.newPlot(el, figure.data, figure.layout, config);
    }).then(function () {
      el.setAttribute("data-rendered", "true");
      el.style.minHeight = "";
    }).catch(function () {
      el.setAttribute("data-rendered", "error");
    });
  }

  if ("IntersectionObserver" in window) {
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) {
          observer.unobserve(entry.target);
          draw(entry.target);
        }
      });
    }, {rootMargin: "300px 0px"});
    charts.forEach(function (el) { observer.observe(el); });
  } else {
    charts.forEach(draw);
  }
  // Printing shows every chart, drawn at the page width.
  window.addEventListener("beforeprint", function () {
    charts.forEach(function (el) {
      draw(el);
      if (window.Plotly && el.getAttribute("data-rendered") === "true") {
        window.Plotly.Plots.resize(el);
      }
    });
  });
})();
