// TradeMind dashboard: the equity chart (Plotly), drawn from the API and extended live from the
// SSE stream. Served from /static (no inline script: the Content-Security-Policy forbids it).
(function () {
  "use strict";

  function number(text) {
    var value = parseFloat(text);
    return isFinite(value) ? value : null;
  }

  function drawEquity(element) {
    var account = element.dataset.account;
    var query = "days=36500" + (account ? "&account=" + encodeURIComponent(account) : "");
    fetch("/api/v1/portfolio/performance?" + query, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (performance) {
        var points = performance ? performance.points : [];
        var trace = {
          x: points.map(function (p) { return p.ts; }),
          y: points.map(function (p) { return number(p.equity); }),
          type: "scatter", mode: "lines", name: "equity"
        };
        var layout = { margin: { t: 10, r: 10, b: 40, l: 70 }, height: 320,
                       yaxis: { title: { text: "USD" } } };
        window.Plotly.newPlot(element, [trace], layout, { displayModeBar: false, responsive: true });
        element.dataset.points = String(points.length);
        listen(element, account);
        drawBenchmark(element, account);
      });
  }

  var benchmarkAsked = 0;

  // While the account's curve grows, the benchmark is asked again at most every 2 seconds:
  // drawn when the page came before the account's first equity, else brought up to date.
  function refreshBenchmark(element, account) {
    if (!element.dataset.benchmark || Date.now() - benchmarkAsked < 2000) { return; }
    benchmarkAsked = Date.now();
    if (!element.dataset.benchmarkPoints) { drawBenchmark(element, account); return; }
    var query = "symbol=" + encodeURIComponent(element.dataset.benchmark) +
      (account ? "&account=" + encodeURIComponent(account) : "");
    fetch("/api/v1/portfolio/benchmark?" + query, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (!body) { return; }
        window.Plotly.restyle(element, {
          x: [body.points.map(function (p) { return p.ts; })],
          y: [body.points.map(function (p) { return number(p.value); })]
        }, [1]);
        element.dataset.benchmarkPoints = String(body.points.length);
      });
  }

  // The benchmark (safety.benchmark_symbol) scaled to the account's first equity, as a second
  // trace; its absence is said under the chart, never drawn as a flat line.
  function drawBenchmark(element, account) {
    var symbol = element.dataset.benchmark;
    var note = document.getElementById("benchmark-note");
    if (!symbol) { return; }
    var query = "symbol=" + encodeURIComponent(symbol) +
      (account ? "&account=" + encodeURIComponent(account) : "");
    fetch("/api/v1/portfolio/benchmark?" + query, { credentials: "same-origin" })
      .then(function (response) { return response.json().then(function (body) {
        return { ok: response.ok, body: body }; }); })
      .then(function (answer) {
        if (!answer.ok) {
          if (note) { note.textContent = "benchmark " + symbol + ": " + answer.body.detail; }
          return;
        }
        if (element.dataset.benchmarkPoints) { return; }  // drawn meanwhile
        if (note) { note.textContent = ""; }
        var points = answer.body.points;
        window.Plotly.addTraces(element, {
          x: points.map(function (p) { return p.ts; }),
          y: points.map(function (p) { return number(p.value); }),
          type: "scatter", mode: "lines", name: symbol + " (scaled)", line: { dash: "dot" }
        });
        element.dataset.benchmarkPoints = String(points.length);
      });
  }

  function listen(element, account) {
    var source = new EventSource("/api/v1/stream");
    source.addEventListener("AccountUpdated", function (event) {
      var message = JSON.parse(event.data);
      var data = message.data || {};
      if (account && data.account && data.account.account_id !== account) { return; }
      var equity = data.account ? number(data.account.portfolio_value) : null;
      if (equity === null) { return; }
      window.Plotly.extendTraces(element, { x: [[message.occurred_at]], y: [[equity]] }, [0]);
      refreshBenchmark(element, account);
      element.dataset.points = String(Number(element.dataset.points || "0") + 1);
      element.dataset.lastEquity = String(equity);
    });
  }

  // The sentiment history (agents page): one marker per stored reading, per source.
  function drawSentiment(element) {
    var readings = JSON.parse(element.dataset.readings || "[]");
    if (!readings.length) { element.classList.add("tm-empty"); return; }
    var sources = {};
    readings.forEach(function (r) { (sources[r.source] = sources[r.source] || []).push(r); });
    var traces = Object.keys(sources).map(function (source) {
      var rows = sources[source];
      return { x: rows.map(function (r) { return r.ts; }),
               y: rows.map(function (r) { return r.score; }),
               text: rows.map(function (r) { return r.symbol + " " + r.label + ", confidence " + r.confidence; }),
               type: "scatter", mode: "markers", name: source };
    });
    var layout = { margin: { t: 10, r: 10, b: 40, l: 50 }, height: 260,
                   yaxis: { title: { text: "score" }, range: [-1.05, 1.05] } };
    window.Plotly.newPlot(element, traces, layout, { displayModeBar: false, responsive: true });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.Plotly) { return; }
    var chart = document.getElementById("equity-chart");
    if (chart) { drawEquity(chart); }
    var sentiment = document.getElementById("sentiment-chart");
    if (sentiment) { drawSentiment(sentiment); }
  });
})();
