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

  // Upload a module: drop it on the zone or choose it; sent as
  // application/wasm with the session's CSRF token in a header.
  var form = document.getElementById("upload-form");
  if (form) {
    var zone = document.getElementById("dropzone");
    var input = document.getElementById("up-file");
    var status = document.getElementById("upload-status");
    ["dragenter", "dragover"].forEach(function (t) {
      zone.addEventListener(t, function (e) { e.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (t) {
      zone.addEventListener(t, function () { zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (e) {
      e.preventDefault();
      if (e.dataTransfer && e.dataTransfer.files.length) { input.files = e.dataTransfer.files; }
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var file = input.files[0];
      if (!file) { return; }
      var name = document.getElementById("up-name").value.trim();
      var version = document.getElementById("up-version").value.trim();
      status.textContent = "…";
      fetch("/console/publish/" + encodeURIComponent(name) + "/" + encodeURIComponent(version), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/wasm", "X-CSRF-Token": form.getAttribute("data-csrf") },
        body: file
      })
        .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, body: j }; }); })
        .then(function (r) {
          if (r.ok) { window.location.href = r.body.location; }
          else { status.textContent = r.body.error; status.className = "error"; }
        })
        .catch(function (err) { status.textContent = String(err); status.className = "error"; });
    });
  }

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

    // Evaluations per model per day, stacked.
    stacked: function (canvas, d) {
      var palette = ["#145aa0", "#1e823e", "#b5651d", "#7a3e9d", "#a8201a", "#2a8c8c", "#6b6b1f", "#c2185b", "#455a64", "#8d6e63", "#5c6bc0", "#00897b"];
      var models = Object.keys(d.models);
      new Chart(canvas, {
        type: "bar",
        data: {
          labels: d.days,
          datasets: models.map(function (m, i) { return { label: m, data: d.models[m], backgroundColor: palette[i % palette.length] }; })
        },
        options: { maintainAspectRatio: false, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } }
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
