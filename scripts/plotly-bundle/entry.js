// Rollout's Plotly bundle: the core (scatter) plus the trace types our charts use.
var Plotly = require('plotly.js/lib/core');
Plotly.register([require('plotly.js/lib/bar'), require('plotly.js/lib/scatterpolar')]);
module.exports = Plotly;
