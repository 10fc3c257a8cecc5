// The person picker follows the team picker: with a team chosen it offers only that team's people
// (the server renders the others hidden), and a person of another team is unselected, so the page is
// never asked for a team and someone outside it.
(function () {
  'use strict';
  const rep = document.querySelector('select[data-team-picker]');
  const team = rep && document.getElementById(rep.dataset.teamPicker);
  if (!rep || !team) return;
  team.addEventListener('change', function () {
    const chosen = team.value;
    rep.querySelectorAll('[data-team]').forEach(function (el) {
      const off = chosen !== '' && el.dataset.team !== chosen;
      el.hidden = off;
      el.disabled = off;
    });
    const group = rep.selectedOptions[0] && rep.selectedOptions[0].closest('[data-team]');
    if (group && group.hidden) rep.value = '';
  });
})();

// Draws the dashboard's charts with Chart.js (served by Kehu at /dashboard/chart.umd.js) from the
// page's JSON data block; every chart's numbers are also in the table beside it.
(function () {
  'use strict';
  const block = document.getElementById('dashboard-charts');
  if (!block || typeof window.Chart === 'undefined') return;
  const data = JSON.parse(block.textContent || '{}');
  const Chart = window.Chart;
  const palette = ['#2563eb', '#16a34a', '#f59e0b', '#dc2626', '#7c3aed', '#0891b2', '#db2777', '#65a30d'];
  const small = window.matchMedia('(max-width: 639px)').matches;
  Chart.defaults.font.size = small ? 11 : 12;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.animation = false;

  function canvas(name) {
    return document.querySelector('canvas[data-chart="' + name + '"]');
  }

  // Amounts on an axis in short (2.5万, 25K): the exact ones are in the table beside the chart.
  const short = new Intl.NumberFormat(document.documentElement.lang || undefined, { notation: 'compact' });

  // One series of bars: its value axis titled with what it counts, in whole numbers (a chart of zeros
  // runs from 0 to 1, not in tenths), amounts in short.
  function bars(name, chart, horizontal) {
    const el = canvas(name);
    if (!el || !chart) return;
    const value = {
      beginAtZero: true,
      suggestedMax: 1,
      ticks: chart.money ? { callback: (v) => short.format(v) } : { precision: 0 },
      title: { display: true, text: chart.label },
    };
    new Chart(el, {
      type: 'bar',
      data: {
        labels: chart.labels,
        datasets: [{ label: chart.label, data: chart.data, backgroundColor: palette[0] }],
      },
      options: {
        indexAxis: horizontal ? 'y' : 'x',
        plugins: { legend: { display: false } },
        scales: horizontal ? { x: value } : { y: value },
      },
    });
  }

  bars('funnel', data.funnel, true);
  bars('leaderboard', data.leaderboard, true);

  const channels = canvas('channels');
  if (channels && data.channels) {
    new Chart(channels, {
      type: 'doughnut',
      data: {
        labels: data.channels.labels,
        datasets: [{ data: data.channels.data, backgroundColor: palette }],
      },
      options: { plugins: { legend: { position: small ? 'bottom' : 'right' } } },
    });
  }

  // The monthly trends: money as bars on the left axis (only for a user whose page shows money),
  // tickets and CSAT as lines, each on its own titled axis on the right, so a CSAT of 4.0 reads 4.0.
  const trends = canvas('trends');
  if (trends && data.trends) {
    const t = data.trends;
    const hasMoney = Array.isArray(t.signed);
    const title = (text) => ({ display: true, text: text });
    const datasets = [];
    if (hasMoney) {
      datasets.push(
        { type: 'bar', label: t.names.signed, data: t.signed, backgroundColor: palette[0], yAxisID: 'money' },
        { type: 'bar', label: t.names.collected, data: t.collected, backgroundColor: palette[1], yAxisID: 'money' },
      );
    }
    datasets.push(
      { type: 'line', label: t.names.tickets, data: t.tickets, borderColor: palette[2], backgroundColor: palette[2], yAxisID: 'count' },
      { type: 'line', label: t.names.csat, data: t.csat, borderColor: palette[4], backgroundColor: palette[4], yAxisID: 'score', spanGaps: true },
    );
    const scales = {
      count: {
        type: 'linear',
        position: hasMoney ? 'right' : 'left',
        beginAtZero: true,
        ticks: { precision: 0 },
        title: title(t.axes.tickets),
        grid: { drawOnChartArea: !hasMoney },
      },
      score: {
        type: 'linear',
        position: 'right',
        min: 0,
        max: 5,
        ticks: { stepSize: 1 },
        title: title(t.axes.csat),
        grid: { drawOnChartArea: false },
      },
    };
    if (hasMoney) {
      scales.money = {
        type: 'linear',
        position: 'left',
        beginAtZero: true,
        ticks: { callback: (v) => short.format(v) },
        title: title(t.axes.money),
      };
    }
    new Chart(trends, {
      data: { labels: t.labels, datasets: datasets },
      options: {
        interaction: { mode: 'index', intersect: false },
        plugins: { legend: { position: 'bottom' } },
        scales: scales,
      },
    });
  }
})();
