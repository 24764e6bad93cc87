// scorehost console: follows background jobs and draws the charts. Loaded
// from the binary (no inline script: the pages' CSP forbids it); the data
// of each chart is in a <script type="application/json"> block that this
// file reads. Every chart has a table beside it with the same numbers.
(function () {
  "use strict";

  // Jobs: poll /console/jobs/{id} every second; reload the page when done.
  document.querySelectorAll(".job[data-job]").forEach(function (el) {
    var id = el.getAttribute("data-job");
    var shown = el.querySelector(".elapsed");
    var tick = function () {
      fetch("/console/jobs/" + encodeURIComponent(id), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { state: "gone" }; })
        .then(function (j) {
          if (j.state === "running") {
            if (shown) { shown.textContent = j.elapsed.toFixed(1); }
            setTimeout(tick, 1000);
          } else {
            window.location.reload();
          }
        })
        .catch(function () { setTimeout(tick, 2000); });
    };
    setTimeout(tick, 1000);
  });

  if (typeof window.Chart === "undefined") { return; }
  var Chart = window.Chart;
  Chart.defaults.font.family = "system-ui, 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', 'Microsoft YaHei', 'PingFang SC', sans-serif";
  Chart.defaults.animation = false;

  var data = function (canvas) {
    var src = document.getElementById(canvas.getAttribute("data-source"));
    return src ? JSON.parse(src.textContent) : null;
  };

  var draw = {
    // The grade-migration matrix as a heat map: darker = more subjects.
    // Numeric axes (cell i, j at x = j, y = i), so that the rows run top
    // down in the table's order whatever a category axis would choose.
    heatmap: function (canvas, d) {
      var m = d.migration;
      var points = [];
      var max = 1;
      m.rows.forEach(function (row, i) {
        m.columns.forEach(function (col, j) {
          var v = (m.counts[i] || [])[j] || 0;
          if (v > max) { max = v; }
          points.push({ x: j, y: i, v: v, row: row, col: col });
        });
      });
      var axis = function (labels, reverse, position) {
        return {
          type: "linear", min: -0.5, max: labels.length - 0.5, reverse: reverse, position: position,
          grid: { display: false },
          afterBuildTicks: function (a) { a.ticks = labels.map(function (_, i) { return { value: i }; }); },
          ticks: { autoSkip: false, callback: function (v) { return labels[v] === undefined ? "" : labels[v]; } }
        };
      };
      new Chart(canvas, {
        type: "matrix",
        data: {
          datasets: [{
            data: points,
            backgroundColor: function (c) {
              var v = c.raw ? c.raw.v : 0;
              return "rgba(20, 90, 160, " + (v === 0 ? 0.04 : 0.15 + 0.85 * v / max) + ")";
            },
            borderColor: "rgba(0,0,0,0.15)",
            borderWidth: 1,
            // One unit of each axis, in pixels, less a gap.
            width: function (c) { var s = c.chart.scales.x; return s ? Math.abs(s.getPixelForValue(1) - s.getPixelForValue(0)) - 2 : 10; },
            height: function (c) { var s = c.chart.scales.y; return s ? Math.abs(s.getPixelForValue(1) - s.getPixelForValue(0)) - 2 : 10; }
          }]
        },
        options: {
          maintainAspectRatio: false,
          plugins: {
            legend: { display: false },
            tooltip: { callbacks: { title: function () { return ""; }, label: function (c) { return c.raw.row + " → " + c.raw.col + ": " + c.raw.v; } } }
          },
          scales: { x: axis(m.columns, false, "top"), y: axis(m.rows, true, "left") }
        }
      });
    },

    // Score distributions before and after, overlaid.
    histogram: function (canvas, d) {
      var before = d.before, after = d.after;
      var bins = Math.max(before.histogram.length, after.histogram.length);
      var lo = before.scale_min, hi = before.scale_max;
      var width = (hi - lo) / (bins || 1);
      var labels = [];
      for (var i = 0; i < bins; i++) { labels.push(Math.round(lo + i * width)); }
      new Chart(canvas, {
        type: "bar",
        data: {
          labels: labels,
          datasets: [
            { label: canvas.getAttribute("data-before"), data: before.histogram, backgroundColor: "rgba(110, 110, 110, 0.55)", grouped: false, barPercentage: 1, categoryPercentage: 1 },
            { label: canvas.getAttribute("data-after"), data: after.histogram, backgroundColor: "rgba(20, 90, 160, 0.55)", grouped: false, barPercentage: 1, categoryPercentage: 1 }
          ]
        },
        options: { maintainAspectRatio: false, scales: { y: { beginAtZero: true } } }
      });
    },

    // The white box as a waterfall: each contribution a floating bar from
    // the running total, then the score.
    waterfall: function (canvas, d) {
      var labels = [], bars = [], colors = [], total = 0;
      (d.contributions || []).forEach(function (c) {
        labels.push(c.name);
        bars.push([total, total + c.points]);
        colors.push(c.name === "base" ? "rgba(20, 90, 160, 0.8)" : (c.points >= 0 ? "rgba(30, 130, 70, 0.8)" : "rgba(190, 40, 40, 0.8)"));
        total += c.points;
      });
      labels.push(d.total);
      bars.push([0, d.score]);
      colors.push("rgba(60, 60, 60, 0.8)");
      new Chart(canvas, {
        type: "bar",
        data: { labels: labels, datasets: [{ data: bars, backgroundColor: colors }] },
        options: {
          maintainAspectRatio: false,
          plugins: {
            legend: { display: false },
            tooltip: { callbacks: { label: function (c) { var r = c.raw; return (r[1] - r[0]).toFixed(2) + " (" + r[0].toFixed(2) + " → " + r[1].toFixed(2) + ")"; } } }
          }
        }
      });
    }
  };

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var kind = canvas.getAttribute("data-chart");
    var d = data(canvas);
    if (d && draw[kind]) {
      try { draw[kind](canvas, d); canvas.setAttribute("data-drawn", "1"); }
      catch (e) { canvas.setAttribute("data-error", String(e)); }
    }
  });
})();
