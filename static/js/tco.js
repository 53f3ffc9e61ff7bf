// TCO benefit form: show the KPI derivation fields only when a KPI is chosen, and the
// yearly amounts only when none is (without JavaScript both stay visible).
(function () {
  "use strict";
  var select = document.getElementById("kpi_key");
  var kpi = document.querySelector("[data-tco-kpi]");
  var amounts = document.querySelector("[data-tco-amounts]");
  if (!select || !kpi || !amounts) {
    return;
  }
  function update() {
    var derived = select.value !== "";
    kpi.hidden = !derived;
    amounts.hidden = derived;
  }
  select.addEventListener("change", update);
  update();
})();
