/*
 * Draw every chart on the page from the data the view serialised once
 * (<script id="chart-data" type="application/json">). Each <canvas
 * data-chart="CODE"> gets a line chart of the indicator's history with its
 * target and comparators. The same figures are in a table beside each chart,
 * so nothing here is the only way to read them.
 */
(function () {
  "use strict";

  var COLOURS = { value: "#1d70b8", target: "#0b0c0c", comparators: ["#6f3b93", "#b35900"], limits: "#505a5f" };

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
    // The current SPC segment's average and process limits (null outside the segment): grey and thin.
    if (chart.centre && chart.centre.some(function (v) { return v !== null; })) {
      var period = chart.limits_period ? " (" + chart.limits_period + ")" : "";
      sets.push({ label: "Average" + period, data: chart.centre, borderColor: COLOURS.limits, borderWidth: 1,
                  pointRadius: 0, stepped: "middle", spanGaps: false });
      sets.push({ label: "Process limits", data: chart.upper, borderColor: COLOURS.limits, borderDash: [3, 2],
                  borderWidth: 1, pointRadius: 0, stepped: "middle", spanGaps: false });
      sets.push({ label: "Lower process limit", data: chart.lower, borderColor: COLOURS.limits, borderDash: [3, 2],
                  borderWidth: 1, pointRadius: 0, stepped: "middle", spanGaps: false });
    }
    return sets;
  }

  // The y axis comes from the server (scorecard.charts.chart_axis), so the page and the PDF draw the same one.
  function yScale(chart) {
    var scale = { ticks: { callback: function (v) { return format(v, chart, 1); } } };
    if (chart.y_min !== undefined) {
      scale.min = chart.y_min; scale.max = chart.y_max; scale.ticks.stepSize = chart.y_step;
    } else {
      scale.beginAtZero = chart.unit === "percent";
    }
    return scale;
  }

  function draw(canvas, chart) {
    return new window.Chart(canvas, {
      type: "line",
      data: { labels: chart.labels, datasets: datasets(chart) },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        scales: { y: yScale(chart) },
        plugins: {
          legend: { position: "bottom", labels: { boxWidth: 18, usePointStyle: false,
                                                  filter: function (item) { return item.text.indexOf("Lower") !== 0; } } },
          tooltip: { callbacks: { label: function (item) { return item.dataset.label + ": " + format(item.parsed.y, chart); } } }
        }
      }
    });
  }

  // Making Data Count colours, always paired with a shape: improvement blue triangle,
  // concern orange diamond, neutral purple triangle, common cause grey circle.
  var VARIATION_STYLE = {
    improvement_high: ["#1d70b8", "triangle"], improvement_low: ["#1d70b8", "triangle"],
    concern_high: ["#a04a00", "rectRot"], concern_low: ["#a04a00", "rectRot"],
    neither_high: ["#6f3b93", "triangle"], neither_low: ["#6f3b93", "triangle"]
  };

  // Chart.js has no vertical-line dataset: this small plugin draws the change points.
  var changePointLines = {
    id: "changePointLines",
    afterDatasetsDraw: function (instance, args, options) {
      var xScale = instance.scales.x, area = instance.chartArea, context = instance.ctx;
      (options.labels || []).forEach(function (label) {
        var x = xScale.getPixelForValue(instance.data.labels.indexOf(label));
        if (isNaN(x)) { return; }
        context.save();
        context.strokeStyle = "#0b0c0c"; context.setLineDash([8, 4]); context.lineWidth = 1.5;
        context.beginPath(); context.moveTo(x, area.top); context.lineTo(x, area.bottom); context.stroke();
        context.fillStyle = "#0b0c0c"; context.font = "12px Arial"; context.fillText("Change point", x + 4, area.top + 12);
        context.restore();
      });
    }
  };

  function drawXmr(canvas, chart) {
    var style = function (i) { return VARIATION_STYLE[chart.variation[i]] || ["#505a5f", "circle"]; };
    var line = function (label, data, colour, dash) {
      // Stepped, so a new baseline after a change point starts with a step, not a slope.
      return { label: label, data: data, borderColor: colour, borderDash: dash, borderWidth: 1.5, pointRadius: 0,
               stepped: "middle" };
    };
    return new window.Chart(canvas, {
      type: "line",
      plugins: [changePointLines],
      data: {
        labels: chart.labels,
        datasets: [
          {
            label: chart.title, data: chart.values, borderColor: "#505a5f", borderWidth: 1.5, tension: 0,
            pointRadius: chart.values.map(function (v, i) { return chart.variation[i] in VARIATION_STYLE ? 6 : 3; }),
            pointStyle: chart.values.map(function (v, i) { return style(i)[1]; }),
            pointBackgroundColor: chart.values.map(function (v, i) { return style(i)[0]; }),
            pointBorderColor: chart.values.map(function (v, i) { return style(i)[0]; })
          },
          line("Mean", chart.centre, "#0b0c0c", []),
          line("Process limits", chart.upper, "#505a5f", [6, 4]),
          line("Lower process limit", chart.lower, "#505a5f", [6, 4]),
          line("Two sigma", chart.upper_near, "#b1b4b6", [2, 3]),
          line("Lower two sigma", chart.lower_near, "#b1b4b6", [2, 3])
        ].concat(chart.target === null ? [] : [line("Target", chart.labels.map(function () { return chart.target; }), "#d4351c", [10, 3])])
      },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        scales: { y: { ticks: { callback: function (v) { return format(v, chart, 1); } } } },
        plugins: {
          changePointLines: { labels: chart.change_points },
          legend: { position: "bottom", labels: { boxWidth: 18, filter: function (item) { return item.text.indexOf("Lower") !== 0; } } },
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
      if (chart) { (chart.kind === "xmr" ? drawXmr : draw)(canvas, chart); }
    });
    document.documentElement.setAttribute("data-charts-drawn", "true");
  }

  document.addEventListener("chartjs:ready", drawAll, { once: true });
})();
