// Draws the dashboard's 30-day chart from the JSON in the canvas's data-chart attribute (no inline script: CSP).
(function () {
  'use strict';
  var canvas = document.getElementById('traffic-chart');
  if (!canvas || typeof Chart === 'undefined') {
    return;
  }
  var data = JSON.parse(canvas.getAttribute('data-chart'));
  var colours = {
    DELIVER: '#2e7d32', TAG: '#f9a825', HOLD: '#1565c0', QUARANTINE: '#c62828', REJECT: '#424242'
  };
  data.datasets.forEach(function (set) {
    var colour = colours[set.action] || '#888888';
    set.backgroundColor = set.stack === 'OUTBOUND' ? colour + '99' : colour;
    set.borderColor = colour;
    set.borderWidth = 1;
  });
  canvas.chart = new Chart(canvas, {
    type: 'bar',
    data: data,
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
      plugins: { legend: { position: 'bottom' } }
    }
  });
  canvas.setAttribute('data-drawn', 'true');
})();
