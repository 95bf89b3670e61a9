/* coop-publisher: draws the charts and the ledger tables of the published site.
 *
 * Loaded on every page (it is small). plotly.js (a partial bundle with only the trace types the
 * charts use) is loaded only when a page has a chart, after its text, and at most once per
 * visit: Material's instant navigation keeps this page alive between pages, so the promise
 * below survives. Material's `document$` emits on every page, instant or not.
 * Nothing here writes text as HTML: cells go in with textContent.
 */
(function () {
  "use strict";

  var PLOTLY_URL = new URL("__PLOTLY_FILE__", document.currentScript.src).href;
  var PAGE_SIZE = 50;
  var plotlyPromise = null;

  function afterPaint() {
    // requestAnimationFrame runs just before the next paint, the timeout inside it once that
    // paint is done. A tab in the background paints nothing: the outer timeout does not wait.
    return new Promise(function (resolve) {
      window.requestAnimationFrame(function () { window.setTimeout(resolve, 0); });
      window.setTimeout(resolve, 200);
    });
  }

  function loadPlotly() {
    // The chart code (a partial plotly.js bundle, the largest file of the site) is asked for
    // only once the page's text is on screen, and as an async script: reading never waits
    // for it. The promise lives as long as this page, so with instant navigation it is
    // fetched and parsed once per visit.
    if (window.Plotly) return Promise.resolve(window.Plotly);
    if (!plotlyPromise) {
      plotlyPromise = afterPaint().then(function () {
        return new Promise(function (resolve, reject) {
          var tag = document.createElement("script");
          tag.src = PLOTLY_URL;
          tag.async = true;
          tag.onload = function () { resolve(window.Plotly); };
          tag.onerror = function () { plotlyPromise = null; tag.remove(); reject(new Error("plotly.js did not load")); };
          document.head.appendChild(tag);
        });
      });
    }
    return plotlyPromise;
  }

  function scheme() {
    return document.body.getAttribute("data-md-color-scheme") === "slate" ? "dark" : "light";
  }

  /* The colours that depend on the palette. Text 4.5:1 or more against Material's backgrounds
   * (white, and #1e2129 in slate); grid lines faint; axis lines and Sankey links 3:1, and a
   * Sankey's labels 4.5:1 on its links as well. The marks themselves (bars, lines, nodes) come
   * from the publisher in tones that read on both. */
  var THEMES = {
    light: { text: "#1f2328", muted: "#57606a", grid: "#d8dce1", axis: "#6e7781", link: "#8e939b", linkText: "#1f2328", background: "#ffffff" },
    dark: { text: "#e2e4e9", muted: "#aab1bd", grid: "#3b3f4a", axis: "#8b93a1", link: "#6b7280", linkText: "#ffffff", background: "#1e2129" }
  };

  function merged(target, values) {
    Object.keys(values).forEach(function (key) { target[key] = values[key]; });
    return target;
  }

  /* A copy of a chart's figure in the colours of the current palette. */
  function themeUpdate(spec) {
    var theme = THEMES[scheme()];
    var font = window.getComputedStyle(document.body).fontFamily;
    var layout = merged({}, spec.layout || {});
    layout.paper_bgcolor = "rgba(0,0,0,0)";
    layout.plot_bgcolor = "rgba(0,0,0,0)";
    layout.font = merged(merged({}, layout.font || {}), { color: theme.text, family: font });
    if (layout.title) layout.title = merged(merged({}, layout.title), { font: { color: theme.text, family: font, size: 16 } });
    layout.legend = merged(merged({}, layout.legend || {}), { font: { color: theme.text, family: font } });
    layout.hoverlabel = { font: { family: font } };
    var data = (spec.data || []).map(function (trace) { return merged({}, trace); });
    var cartesian = data.some(function (trace) { return trace.type !== "sankey"; });
    if (cartesian) {
      if (!layout.xaxis) layout.xaxis = {};
      if (!layout.yaxis) layout.yaxis = {};
    }
    Object.keys(layout).forEach(function (key) {
      if (!/^[xy]axis\d*$/.test(key)) return;
      var axis = merged({}, layout[key]);
      // Margins grow to hold the tick labels, and no drag zooms an axis (it scrolls the page).
      if (axis.automargin === undefined) axis.automargin = true;
      if (axis.fixedrange === undefined) axis.fixedrange = true;
      axis.color = theme.muted;
      axis.tickfont = { color: theme.text };
      axis.gridcolor = theme.grid;
      axis.zerolinecolor = theme.axis;
      axis.linecolor = theme.axis;
      if (axis.title) axis.title = merged(merged({}, axis.title), { font: { color: theme.text } });
      layout[key] = axis;
    });
    data.forEach(function (trace) {
      if (trace.type === "bar" && trace.text) {
        // Beside a bar the value stands on the page's background.
        trace.outsidetextfont = merged(merged({}, trace.outsidetextfont || {}), { color: theme.text });
      }
      if (trace.meta === "publisher:text-colour") {
        trace.marker = merged(merged({}, trace.marker || {}), { color: theme.text });
      }
      if (trace.type === "sankey") {
        // No halo around the labels: their colour reads on the links and the page alike.
        trace.textfont = { color: theme.linkText, family: font, shadow: "none" };
        if (trace.link && !trace.link.color) trace.link = merged(merged({}, trace.link), { color: theme.link });
        if (trace.node) trace.node = merged(merged({}, trace.node), { line: { color: theme.background, width: 1 } });
      }
    });
    // Trace colours a figure gives per palette (the federation's Sankey links), as
    // `themes`: [{trace: index, light: {"link.color": ...}, dark: {...}}]; they win.
    (spec.themes || []).forEach(function (item) {
      var trace = data[item.trace];
      var values = item[scheme()] || {};
      if (!trace) return;
      Object.keys(values).forEach(function (path) {
        var parts = path.split("."), target = trace;
        parts.slice(0, -1).forEach(function (part) {
          target[part] = merged({}, target[part] || {});
          target = target[part];
        });
        target[parts[parts.length - 1]] = values[path];
      });
    });
    return { data: data, layout: layout };
  }

  /* Charts for readers: no tool bar over the title, no zooming, the width of the column. */
  var CHART_CONFIG = { responsive: true, displayModeBar: false, displaylogo: false, scrollZoom: false };

  function drawCharts() {
    var nodes = document.querySelectorAll(".publisher-chart__plot:not([data-drawn])");
    if (!nodes.length) return;
    loadPlotly().then(function (Plotly) {
      nodes.forEach(function (node) {
        var spec = JSON.parse(node.dataset.figure);
        var theme = scheme();
        var figure = themeUpdate(spec);
        node.dataset.drawn = "pending";
        Plotly.newPlot(node, figure.data, figure.layout, CHART_CONFIG)
          .then(function () { node.dataset.drawn = "true"; node.dataset.theme = theme; })
          .then(function () { if (scheme() !== theme) rethemeCharts(); });
      });
    }).catch(function () {
      nodes.forEach(function (node) {
        node.textContent = "This chart could not be drawn; its numbers are in the table below.";
      });
    });
  }

  /* Drawn again in the other palette's colours when the reader switches. */
  function rethemeCharts() {
    if (!window.Plotly) return;
    document.querySelectorAll('.publisher-chart__plot[data-drawn="true"]').forEach(function (node) {
      var theme = scheme();
      if (node.dataset.theme === theme) return;
      var figure = themeUpdate(JSON.parse(node.dataset.figure));
      window.Plotly.react(node, figure.data, figure.layout, CHART_CONFIG).then(function () { node.dataset.theme = theme; });
    });
  }

  new MutationObserver(rethemeCharts).observe(document.body, {
    attributes: true, attributeFilter: ["data-md-color-scheme"]
  });

  /* Ledger tables: rows come from a JSON file, so a year of thousands of rows keeps a light page. */

  function minorUnits(text) {
    // Exact comparison of amounts: "-12.50" -> -1250n, no floating point.
    return BigInt(text.replace(".", "").replace(/^\+/, ""));
  }

  function compare(kind, a, b) {
    if (kind === "amount") {
      var x = minorUnits(a), y = minorUnits(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    return a < b ? -1 : a > b ? 1 : 0;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function decisionAnchor(id) {
    // The same as decision_anchor() in the publisher.
    return "decision-" + id.replace(/[^A-Za-z0-9_-]/gu, function (c) {
      return "." + c.codePointAt(0).toString(16) + ".";
    });
  }

  function renderLedger(root, data) {
    var state = { filter: "", sortColumn: 0, ascending: true, page: 0, exact: null };
    // ?decision=ID, ?id=ROW-ID: only the rows with that value; ?q=TEXT: a filter to start with.
    var params = new URLSearchParams(window.location.search);
    data.columns.forEach(function (column, index) {
      if (params.has(column.key)) state.exact = { index: index, value: params.get(column.key) };
    });
    var decisionsPage = root.dataset.decisions;
    var status = root.querySelector(".publisher-ledger__status");
    var input = element("input", "md-input publisher-ledger__filter");
    input.type = "search";
    input.placeholder = "Filter rows";
    input.setAttribute("aria-label", "Filter the rows of the ledger");
    var table = element("table", "publisher-ledger__table");
    var head = element("thead"), body = element("tbody");
    var headRow = element("tr");
    // Provenance columns (the commit that last changed each row) are shown on demand.
    var provenance = element("label", "publisher-ledger__provenance");
    var toggle = element("input");
    toggle.type = "checkbox";
    provenance.appendChild(toggle);
    provenance.appendChild(document.createTextNode(" Show the commit that last changed each row"));
    toggle.addEventListener("change", function () {
      root.classList.toggle("publisher-ledger--provenance", toggle.checked);
    });
    data.columns.forEach(function (column, index) {
      var th = element("th", column.kind === "provenance" ? "publisher-provenance" : "");
      var button = element("button", "publisher-ledger__sort", column.label);
      button.type = "button";
      button.addEventListener("click", function () {
        state.ascending = state.sortColumn === index ? !state.ascending : true;
        state.sortColumn = index;
        state.page = 0;
        update();
      });
      th.appendChild(button);
      if (column.kind === "amount") th.className = "publisher-amount";
      if (column.kind === "provenance") th.className = "publisher-provenance";
      headRow.appendChild(th);
    });
    head.appendChild(headRow);
    table.appendChild(head);
    table.appendChild(body);
    var pager = element("div", "publisher-ledger__pager");
    var previous = element("button", "md-button", "Previous");
    var next = element("button", "md-button", "Next");
    var position = element("span", "publisher-ledger__position");
    previous.type = next.type = "button";
    previous.addEventListener("click", function () { state.page -= 1; update(); });
    next.addEventListener("click", function () { state.page += 1; update(); });
    pager.appendChild(previous);
    pager.appendChild(position);
    pager.appendChild(next);
    input.addEventListener("input", function () { state.filter = input.value.toLowerCase(); state.page = 0; update(); });
    if (params.has("q")) { input.value = params.get("q"); state.filter = input.value.toLowerCase(); }
    var exactNote = element("p", "publisher-ledger__exact");
    if (state.exact) {
      exactNote.textContent = "Showing the rows whose " + data.columns[state.exact.index].label.toLowerCase() +
        " is " + state.exact.value + ". ";
      var all = element("button", "md-button", "Show all rows");
      all.type = "button";
      all.addEventListener("click", function () { state.exact = null; exactNote.remove(); update(); });
      exactNote.appendChild(all);
    }

    function update() {
      var rows = data.rows;
      if (state.exact) {
        var exact = state.exact;
        rows = rows.filter(function (row) { return row[exact.index] === exact.value; });
      }
      if (state.filter) {
        rows = rows.filter(function (row) { return row.join("\u0000").toLowerCase().indexOf(state.filter) >= 0; });
      }
      var kind = data.columns[state.sortColumn].kind;
      rows = rows.slice().sort(function (a, b) {
        var order = compare(kind, a[state.sortColumn], b[state.sortColumn]);
        return state.ascending ? order : -order;
      });
      var pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
      state.page = Math.min(Math.max(state.page, 0), pages - 1);
      var start = state.page * PAGE_SIZE;
      body.textContent = "";
      rows.slice(start, start + PAGE_SIZE).forEach(function (row) {
        var tr = element("tr");
        row.forEach(function (cell, index) {
          var kind = data.columns[index].kind;
          var td = element("td", kind === "amount" ? "publisher-amount" : kind === "provenance" ? "publisher-provenance" : "");
          // A date or a row id broken at its hyphen reads as two values.
          if (kind === "date" || data.columns[index].key === "id") td.className = "publisher-ledger__nowrap";
          if (kind === "decision" && cell && decisionsPage) {
            var a = element("a", "", cell);
            a.href = decisionsPage + "#" + decisionAnchor(cell);
            td.appendChild(a);
          } else {
            td.textContent = cell;
          }
          tr.appendChild(td);
        });
        body.appendChild(tr);
      });
      position.textContent = rows.length
        ? "Rows " + (start + 1) + "–" + Math.min(start + PAGE_SIZE, rows.length) + " of " + rows.length
        : "No row matches";
      previous.disabled = state.page === 0;
      next.disabled = state.page >= pages - 1;
    }

    status.textContent = "";
    if (state.exact) root.appendChild(exactNote);
    root.appendChild(input);
    if (data.columns.some(function (c) { return c.kind === "provenance"; })) root.appendChild(provenance);
    var scroller = element("div", "md-typeset__scrollwrap");
    scroller.appendChild(table);
    root.appendChild(scroller);
    root.appendChild(pager);
    root.dataset.ready = "true";
    update();
  }

  function drawLedgers() {
    document.querySelectorAll(".publisher-ledger[data-src]:not([data-ready])").forEach(function (root) {
      root.dataset.ready = "loading";
      fetch(root.dataset.src)
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.json();
        })
        .then(function (data) { renderLedger(root, data); })
        .catch(function () {
          root.dataset.ready = "failed";
          root.querySelector(".publisher-ledger__status").textContent =
            "The rows could not be loaded here; download them as CSV instead.";
        });
    });
  }

  /* Tables with a filter box (the decisions): rows that do not contain the text are hidden. */
  function filterTables() {
    document.querySelectorAll(".publisher-filterable:not([data-ready])").forEach(function (root) {
      root.dataset.ready = "true";
      var input = root.querySelector(".publisher-table-filter");
      var rows = root.querySelectorAll("tbody tr");
      input.addEventListener("input", function () {
        var text = input.value.toLowerCase();
        rows.forEach(function (row) { row.hidden = text !== "" && row.textContent.toLowerCase().indexOf(text) < 0; });
      });
      // Instant navigation now and then keeps the previous page's scroll position: a link to
      // one decision (#decision-ID, from a ledger row) must land on that decision.
      var target = null;
      try { target = window.location.hash ? document.getElementById(decodeURIComponent(window.location.hash.slice(1))) : null; }
      catch (malformed) { target = null; }  // a "%" that starts no escape: no target
      if (target && root.contains(target)) target.scrollIntoView();
    });
  }

  function drawPage() {
    drawCharts();
    drawLedgers();
    filterTables();
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(drawPage);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawPage);
  } else {
    drawPage();
  }
})();
