/*
 * Draw every chart on the page from the data the view serialised once
 * (<script id="chart-data" type="application/json">). Each <canvas
 * data-chart="CODE"> gets a line chart of the indicator's history with its
 * target and comparators. The same figures are in a table beside each chart,
 * so nothing here is the only way to read them.
 */
(function () {
  "use strict";

  var COLOURS = { value: "#1d70b8", target: "#0b0c0c", comparators: ["#6f3b93", "#b35900"] };

  function format(value, chart, extraDigits) {
    if (value === null || value === undefined) { return "no data"; }
    var text = Number(value).toLocaleString("en-GB", {
      minimumFractionDigits: extraDigits ? 0 : chart.precision,
      maximumFractionDigits: chart.precision + (extraDigits || 0)
    });
    return chart.unit === "percent" ? text + "%" : text;
  }

  function datasets(chart) {
    var sets = [{
      label: chart.title, data: chart.values, borderColor: COLOURS.value, backgroundColor: COLOURS.value,
      borderWidth: 2, pointRadius: 3, pointStyle: "circle", spanGaps: false, tension: 0
    }];
    if (chart.targets.some(function (t) { return t !== null; })) {
      sets.push({
        label: "Target", data: chart.targets, borderColor: COLOURS.target, borderDash: [6, 4],
        borderWidth: 1.5, pointRadius: 0, stepped: true
      });
    }
    chart.comparators.forEach(function (comparator, index) {
      sets.push({
        label: comparator.label, data: chart.labels.map(function () { return comparator.value; }),
        borderColor: COLOURS.comparators[index % 2], borderDash: [2, 3], borderWidth: 1.5, pointRadius: 0
      });
    });
    return sets;
  }

  function draw(canvas, chart) {
    return new window.Chart(canvas, {
      type: "line",
      data: { labels: chart.labels, datasets: datasets(chart) },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        scales: { y: { beginAtZero: chart.unit === "percent", ticks: { callback: function (v) { return format(v, chart, 1); } } } },
        plugins: {
          legend: { position: "bottom", labels: { boxWidth: 18, usePointStyle: false } },
          tooltip: { callbacks: { label: function (item) { return item.dataset.label + ": " + format(item.parsed.y, chart); } } }
        }
      }
    });
  }

  function drawAll() {
    var source = document.getElementById("chart-data");
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var chart = data[canvas.getAttribute("data-chart")];
      if (chart) { draw(canvas, chart); }
    });
    document.documentElement.setAttribute("data-charts-drawn", "true");
  }

  document.addEventListener("chartjs:ready", drawAll, { once: true });
})();
