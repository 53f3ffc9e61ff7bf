// Plotly's own interface strings in Spanish and Chinese, for planner/main/data/ (the app adds its own
// wording on top, see planner/main/views.py plotly_locale).
const fs = require("fs");
const path = require("path");
for (const [source, language] of [["es", "es"], ["zh-cn", "zh"]]) {
  const locale = require("plotly.js-locales/" + source + ".js");
  const target = path.join(__dirname, "..", "..", "planner", "main", "data", "plotly-" + language + ".json");
  fs.writeFileSync(target, JSON.stringify(locale.dictionary, null, 1) + "\n");
}
// The bundle's own CSS output (maplibre's, pulled in by Plotly's core) is not used: Plotly injects its styles.
fs.rmSync(path.join(__dirname, "..", "..", "static", "vendor", "plotly", "plotly.min.css"), {force: true});
