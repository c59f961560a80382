/* The graph page: draws the chart whose data the server embedded as JSON (#o-graph-data)
   with Chart.js. The chart type and measure are chosen by links (bookmarkable URLs). */
"use strict";
(function () {
  const data = document.getElementById("o-graph-data");
  const canvas = document.getElementById("o-graph-canvas");
  if (!data || !canvas || typeof Chart === "undefined") {
    return;
  }
  const chart = JSON.parse(data.textContent);
  const pie = chart.type === "pie";
  canvas.chart = new Chart(canvas, {
    type: chart.type,
    data: { labels: chart.labels, datasets: chart.datasets },
    options: {
      animation: false,
      responsive: true,
      scales: pie ? {} : { y: { beginAtZero: true } },
    },
  });
  canvas.dataset.drawn = chart.type;
})();
