// Draws the spectra of a page with the bundled Plotly: one spectrum as sticks (a spectrum's page), or a
// head-to-tail comparison (a search hit: the unknown up, the reference down). The data come from JSON script
// elements written by the server; no inline script runs (the page's Content-Security-Policy forbids it).
(function () {
  "use strict";

  function sticks(mz, intensity, sign, name, colour) {
    var x = [], y = [];
    for (var i = 0; i < mz.length; i++) {
      x.push(mz[i], mz[i], null);
      y.push(0, sign * intensity[i], null);
    }
    return { x: x, y: y, mode: "lines", name: name, line: { color: colour, width: 1.5 }, hoverinfo: "skip" };
  }

  function tops(mz, intensity, sign, colour) {
    return {
      x: mz, y: intensity.map(function (v) { return sign * v; }), mode: "markers", showlegend: false,
      marker: { size: 3, color: colour },
      hovertemplate: "m/z %{x}<br>%{customdata}<extra></extra>", customdata: intensity,
    };
  }

  function layout(title, headToTail) {
    return {
      title: { text: title, font: { size: 13 } }, height: headToTail ? 360 : 300,
      margin: { l: 50, r: 10, t: 40, b: 40 }, xaxis: { title: { text: "m/z" } },
      yaxis: { title: { text: headToTail ? "" : "intensity" }, zeroline: true },
      legend: { orientation: "h", y: -0.2 },
    };
  }

  function draw(element) {
    var data = JSON.parse(document.getElementById(element.dataset.source).textContent);
    var options = { displaylogo: false, responsive: true };
    if (data.reference) {
      var q = data.query, r = data.reference;
      Plotly.newPlot(element, [
        sticks(q[0], q[1], 1, data.query_name, "#1f4e79"), tops(q[0], q[1], 1, "#1f4e79"),
        sticks(r[0], r[1], -1, data.reference_name, "#a33"), tops(r[0], r[1], -1, "#a33"),
      ], layout(element.dataset.title || "", true), options);
    } else {
      Plotly.newPlot(element, [sticks(data.mz, data.intensity, 1, data.name, "#1f4e79"),
        tops(data.mz, data.intensity, 1, "#1f4e79")], layout(data.name, false), options);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-spectrum-plot]").forEach(function (element) {
      var holder = element.closest("details");
      if (holder && !holder.open) {
        holder.addEventListener("toggle", function once() {
          if (holder.open) { draw(element); holder.removeEventListener("toggle", once); }
        });
      } else {
        draw(element);
      }
    });
  });
})();
