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
  // The script's words in the site's language, written in when the publisher copies this file.
  var WORDS = __PUBLISHER_WORDS__;
  function say(key, values) {
    return WORDS[key].replace(/%\((\w+)\)s/g, function (all, name) { return String(values[name]); });
  }
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
    // The chart code (a partial plotly.js bundle, the largest file of the site) is run only
    // once the page's text is on screen, and as an async script: reading never waits for it.
    // A page with charts preloads it from its head, so that it arrives meanwhile (run earlier,
    // it slowed Material's own scripts down more than it gained). The promise lives as long as
    // this page, so with instant navigation it is fetched and evaluated once per visit.
    if (window.Plotly) return Promise.resolve(window.Plotly);
    if (!plotlyPromise) {
      plotlyPromise = afterPaint().then(function () {
        return new Promise(function (resolve, reject) {
          var tag = document.createElement("script");
          tag.src = PLOTLY_URL;
          tag.async = true;
          tag.onload = function () { mark("publisher:plotly-ready"); resolve(window.Plotly); };
          tag.onerror = function () { plotlyPromise = null; tag.remove(); reject(new Error("plotly.js did not load")); };
          mark("publisher:plotly-requested");
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

  /* A title or legend placed at a side of the chart (x 0 or 1 of the container, anchored
   * there) stands at the start of the page's line: on the right where the page reads right to
   * left. The page's direction decides, not the books' language: mkdocs.yml may set the theme's
   * language or direction itself. The plot stays left to right (publisher.css). */
  function atLineStart(part, rightToLeft) {
    if (!part || (part.xanchor !== "left" && part.xanchor !== "right") || (part.x !== 0 && part.x !== 1)) return part;
    var placed = merged({}, part);
    placed.x = rightToLeft ? 1 : 0;
    placed.xanchor = rightToLeft ? "right" : "left";
    if (part.pad) {
      var side = part.pad.l !== undefined ? part.pad.l : part.pad.r;
      placed.pad = merged({}, part.pad);
      delete placed.pad.l;
      delete placed.pad.r;
      if (side !== undefined) placed.pad[rightToLeft ? "r" : "l"] = side;
    }
    return placed;
  }

  function readsRightToLeft(node) {
    var chart = node && node.closest(".publisher-chart");
    return window.getComputedStyle(chart || document.body).direction === "rtl";
  }

  /* A copy of a chart's figure in the colours of the current palette, with the margins for the
   * width `node` has: the publisher works out the margins the labels and the legend need, for a
   * desktop and (`narrow`) for a phone, so that plotly lays the chart out once. */
  function themeUpdate(spec, node) {
    var theme = THEMES[scheme()];
    var font = window.getComputedStyle(document.body).fontFamily;
    var layout = merged({}, spec.layout || {});
    if (spec.narrow && node && node.clientWidth < spec.narrow.below) layout.margin = spec.narrow.margin;
    layout.paper_bgcolor = "rgba(0,0,0,0)";
    layout.plot_bgcolor = "rgba(0,0,0,0)";
    layout.font = merged(merged({}, layout.font || {}), { color: theme.text, family: font });
    if (layout.title) layout.title = merged(merged({}, layout.title), { font: { color: theme.text, family: font, size: 16 } });
    layout.legend = merged(merged({}, layout.legend || {}), { font: { color: theme.text, family: font } });
    var rightToLeft = readsRightToLeft(node);
    if (layout.title) layout.title = atLineStart(layout.title, rightToLeft);
    layout.legend = atLineStart(layout.legend, rightToLeft);
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
      // Should a label be wider than estimated, the margin grows to hold it (plotly then lays
      // the chart out a second time); no drag zooms an axis (it scrolls the page).
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

  /* A chart is drawn when it comes within a screen's height of the viewport, the one nearest
   * the viewport first, one at a time with a paint between them: on a phone each plot costs a
   * few hundred milliseconds, and the reader sees the first screen, not the fourth chart. Its
   * table of numbers is in the page from the start, drawn or not (and without JavaScript). */
  var NEAR_VIEWPORT = "100% 0px";
  var chartObserver = null;
  var wantedCharts = [];
  var drawingCharts = false;
  var settledWaiters = [];

  function mark(name) {
    // Performance marks for benchmarks/bench_browser.py; nothing else reads them.
    if (window.performance && performance.mark) performance.mark(name);
  }

  function chartName(node) {
    var chart = node.closest(".publisher-chart");
    return chart && chart.id ? chart.id : "chart";
  }

  function distanceFromViewport(node) {
    var box = node.getBoundingClientRect();
    if (box.bottom < 0) return -box.bottom;
    return Math.max(0, box.top - window.innerHeight);
  }

  function drawChart(Plotly, node) {
    // A figure that cannot be drawn leaves its own message, and the next chart is drawn.
    var theme = scheme();
    var name = chartName(node);
    node.dataset.drawn = "pending";
    mark("publisher:draw:" + name);
    return Promise.resolve().then(function () {
      var figure = themeUpdate(JSON.parse(node.dataset.figure), node);
      return Plotly.newPlot(node, figure.data, figure.layout, CHART_CONFIG);
    }).then(function () {
      mark("publisher:drawn:" + name);
      node.dataset.drawn = "true";
      node.dataset.theme = theme;
      if (scheme() !== theme) rethemeCharts();
    }, function () {
      node.dataset.drawn = "failed";
      node.textContent = say("chart_failed");
    });
  }

  function drawWantedCharts() {
    wantedCharts = wantedCharts.filter(stillQueued);
    if (!wantedCharts.length) { chartsDone(); return; }
    drawingCharts = true;
    loadPlotly().then(function (Plotly) {
      wantedCharts = wantedCharts.filter(stillQueued);
      if (!wantedCharts.length) return null;
      var next = wantedCharts.reduce(function (best, node) {
        return distanceFromViewport(node) < distanceFromViewport(best) ? node : best;
      });
      wantedCharts.splice(wantedCharts.indexOf(next), 1);
      return drawChart(Plotly, next).then(afterPaint);
    }).then(drawWantedCharts, function () {
      chartsDone();
      wantedCharts = [];
      if (chartObserver) chartObserver.disconnect();
      document.querySelectorAll(".publisher-chart__plot").forEach(function (node) {
        if (node.dataset.drawn === "true") return;
        node.dataset.drawn = "failed";
        node.textContent = say("chart_failed");
      });
    });
  }

  function chartsDone() {
    drawingCharts = false;
    settledWaiters.splice(0).forEach(function (resolve) { resolve(); });
  }

  function stillQueued(node) {
    // A chart of a page that instant navigation has left is no longer connected: dropped.
    return node.isConnected && node.dataset.drawn === "queued";
  }

  function wantChart(node) {
    // data-drawn: none while the chart is far from the viewport, "queued" once it is near,
    // "pending" while plotly draws it, then "true" (or "failed").
    if (node.dataset.drawn) return;
    node.dataset.drawn = "queued";
    wantedCharts.push(node);
    if (!drawingCharts) drawWantedCharts();
  }

  function chartsSettled() {
    // Resolves once no chart is waiting to be drawn.
    return new Promise(function (resolve) {
      if (drawingCharts) settledWaiters.push(resolve);
      else resolve();
    });
  }

  /* Observes the page's charts; resolves once those near the viewport are drawn. */
  function drawCharts() {
    var nodes = document.querySelectorAll(".publisher-chart__plot:not([data-drawn])");
    if (!nodes.length) return Promise.resolve();
    loadPlotly().catch(function () {});
    if (!window.IntersectionObserver) { nodes.forEach(wantChart); return chartsSettled(); }
    if (chartObserver) chartObserver.disconnect();  // the charts of the page before
    return new Promise(function (resolve) {
      var reported = false;
      chartObserver = new IntersectionObserver(function (entries) {
        entries.forEach(function (entry) {
          if (!entry.isIntersecting) return;
          chartObserver.unobserve(entry.target);
          wantChart(entry.target);
        });
        // The first report covers every chart: those near the viewport are queued now.
        if (!reported) { reported = true; chartsSettled().then(resolve); }
      }, { rootMargin: NEAR_VIEWPORT });
      nodes.forEach(function (node) { chartObserver.observe(node); });
    });
  }

  /* Drawn again in the other palette's colours when the reader switches. */
  function rethemeCharts() {
    if (!window.Plotly) return;
    document.querySelectorAll('.publisher-chart__plot[data-drawn="true"]').forEach(function (node) {
      var theme = scheme();
      if (node.dataset.theme === theme) return;
      var figure = themeUpdate(JSON.parse(node.dataset.figure), node);
      window.Plotly.react(node, figure.data, figure.layout, CHART_CONFIG).then(function () { node.dataset.theme = theme; });
    });
  }

  new MutationObserver(rethemeCharts).observe(document.body, {
    attributes: true, attributeFilter: ["data-md-color-scheme"]
  });

  /* Tables. The ledger's rows come from a JSON file, so a year of thousands of rows keeps a light
     page; static tables marked `publisher-sortable` sort in place. Amounts are compared exactly
     (as integers, never as floating point), whatever is shown. */

  // Enough decimal places for any currency's minor units, so that "12.5" and "12.50" compare equal.
  var AMOUNT_SCALE = 6;
  var EXACT_AMOUNT = /^[+-]?\d+(\.\d+)?$/;

  function exactAmount(text) {
    // Exact comparison of amounts: "-12.50" -> -12500000n, no floating point; not an amount -> null.
    var value = String(text).trim();
    if (!EXACT_AMOUNT.test(value)) return null;
    var negative = value.charAt(0) === "-";
    var parts = value.replace(/^[+-]/, "").split(".");
    var digits = parts[0] + (parts[1] || "").padEnd(AMOUNT_SCALE, "0").slice(0, AMOUNT_SCALE);
    var units = BigInt(digits);
    return negative ? -units : units;
  }

  function shownAmount(text) {
    // An amount as a page shows it ("-€1,234.50", "1 234,50 €", "Proposed €900.00 — not
    // authorized"): the first number in the text, in the units exactAmount gives. No number
    // ("—") -> null.
    var match = /([-\u2212]?)[^\d\-\u2212]{0,4}?(\d(?:[\d.,'\u00a0\u202f ]*\d)?)/u.exec(text);
    if (!match) return null;
    // The decimal mark is the last "." or "," when one or two digits follow it ("1,234" is a
    // thousand); a cell with three decimals needs its exact data-sort-value.
    var number = match[2];
    var mark = Math.max(number.lastIndexOf("."), number.lastIndexOf(","));
    var fraction = mark >= 0 && number.length - mark - 1 <= 2 ? number.slice(mark + 1) : "";
    var whole = (fraction ? number.slice(0, mark) : number).replace(/\D/g, "");
    var units = BigInt(whole + fraction.padEnd(AMOUNT_SCALE, "0"));
    return match[1] ? -units : units;
  }

  function compareKeys(a, b) {
    // null (no value) after every value, in either order.
    if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
    return a < b ? -1 : a > b ? 1 : 0;
  }

  var collator = new Intl.Collator(document.documentElement.lang || undefined, { numeric: true, sensitivity: "base" });

  function compareText(a, b) { return collator.compare(a, b); }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function sortButton(className) {
    // The button a sortable header holds: keyboard-operable as any button; its arrow is CSS.
    var button = element("button", "publisher-sort" + (className ? " " + className : ""));
    button.type = "button";
    return button;
  }

  function markSorted(headers, sorted, ascending) {
    // aria-sort on the sorted header only, as the ARIA practices for sortable tables ask.
    Array.prototype.forEach.call(headers, function (th) {
      if (th === sorted) th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      else th.removeAttribute("aria-sort");
    });
  }

  function scrollBox(label) {
    // A wide table scrolls in this box, which a keyboard can reach and scroll.
    var box = element("div", "publisher-scroll");
    box.tabIndex = 0;
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", label);
    return box;
  }

  function moneyFormat(money) {
    // The ledger's "money" block, {locale, currency, minor_units}: amounts shown in the
    // cooperative's format. Without it, or when the browser cannot format it, the exact text.
    if (!money || typeof money.currency !== "string") return function (text) { return text; };
    var format;
    try {
      var digits = Number.isInteger(money.minor_units) ? money.minor_units : undefined;
      format = new Intl.NumberFormat(money.locale || undefined, {
        style: "currency", currency: money.currency,
        // Never fewer decimals than the books hold: rounding would show another number.
        minimumFractionDigits: digits, maximumFractionDigits: 20
      });
    } catch (unsupported) {
      return function (text) { return text; };
    }
    return function (text) {
      // A string keeps every digit (Intl.NumberFormat formats decimal strings exactly).
      return EXACT_AMOUNT.test(String(text).trim()) ? format.format(String(text).trim()) : text;
    };
  }

  function searchable(text) {
    // What the filter compares: lower case, and the no-break spaces of formatted amounts
    // ("2 340,00 €") as the spaces a reader types.
    return text.toLowerCase().replace(/[\u00a0\u202f]/g, " ");
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
    var money = moneyFormat(data.money);
    function shown(cell, column) {
      // What a reader sees in a cell: the amount in the site's format (the ledger JSON already
      // holds the labels of categories and funds).
      if (cell === null || cell === undefined) return "";
      if (column.kind === "amount") return money(cell);
      return cell;
    }
    // Each row once: its cells as shown, what the filter searches (the exact values and what is
    // shown), and the key it sorts on per column.
    var records = data.rows.map(function (row) {
      var cells = row.map(function (cell, index) { return shown(cell, data.columns[index]); });
      return { row: row, cells: cells, text: searchable(row.concat(cells).join("\u0000")), keys: {} };
    });
    function sortKey(record, index) {
      if (!(index in record.keys)) {
        record.keys[index] = data.columns[index].kind === "amount" ? exactAmount(record.row[index]) : record.cells[index];
      }
      return record.keys[index];
    }
    var decisionsPage = root.dataset.decisions;
    var status = root.querySelector(".publisher-ledger__status");
    var input = element("input", "md-input publisher-ledger__filter");
    input.type = "search";
    input.placeholder = say("filter_rows");
    input.setAttribute("aria-label", say("filter_label"));
    var table = element("table", "publisher-ledger__table");
    var head = element("thead"), body = element("tbody");
    var headRow = element("tr");
    // Provenance columns (the commit that last changed each row) are shown on demand.
    var provenance = element("label", "publisher-ledger__provenance");
    var toggle = element("input");
    toggle.type = "checkbox";
    provenance.appendChild(toggle);
    provenance.appendChild(document.createTextNode(" " + say("show_provenance")));
    toggle.addEventListener("change", function () {
      root.classList.toggle("publisher-ledger--provenance", toggle.checked);
    });
    var headers = [];
    data.columns.forEach(function (column, index) {
      var th = element("th", column.kind === "amount" ? "publisher-amount" : column.kind === "provenance" ? "publisher-provenance" : "");
      th.scope = "col";
      var button = sortButton("publisher-ledger__sort");
      button.textContent = column.label;
      button.addEventListener("click", function () {
        state.ascending = state.sortColumn === index ? !state.ascending : true;
        state.sortColumn = index;
        state.page = 0;
        update();
      });
      th.appendChild(button);
      headers.push(th);
      headRow.appendChild(th);
    });
    head.appendChild(headRow);
    table.appendChild(head);
    table.appendChild(body);
    var pager = element("div", "publisher-ledger__pager");
    var previous = element("button", "md-button", say("previous"));
    var next = element("button", "md-button", say("next"));
    var position = element("span", "publisher-ledger__position");
    position.setAttribute("aria-live", "polite");
    previous.type = next.type = "button";
    previous.addEventListener("click", function () { state.page -= 1; update(); });
    next.addEventListener("click", function () { state.page += 1; update(); });
    pager.appendChild(previous);
    pager.appendChild(position);
    pager.appendChild(next);
    input.addEventListener("input", function () { state.filter = searchable(input.value); state.page = 0; update(); });
    if (params.has("q")) { input.value = params.get("q"); state.filter = searchable(input.value); }
    var exactNote = element("p", "publisher-ledger__exact");
    if (state.exact) {
      exactNote.textContent = say("exact", {column: data.columns[state.exact.index].label.toLowerCase(),
        value: state.exact.value}) + " ";
      var all = element("button", "md-button", say("show_all"));
      all.type = "button";
      all.addEventListener("click", function () { state.exact = null; exactNote.remove(); update(); });
      exactNote.appendChild(all);
    }

    function update() {
      var shownRecords = records;
      if (state.exact) {
        var exact = state.exact;
        shownRecords = shownRecords.filter(function (record) { return record.row[exact.index] === exact.value; });
      }
      if (state.filter) {
        shownRecords = shownRecords.filter(function (record) { return record.text.indexOf(state.filter) >= 0; });
      }
      var column = state.sortColumn;
      var amounts = data.columns[column].kind === "amount";
      shownRecords = shownRecords.slice().sort(function (a, b) {
        var x = sortKey(a, column), y = sortKey(b, column);
        var order = amounts || x === null || y === null ? compareKeys(x, y) : compareText(x, y);
        return x === null || y === null || state.ascending ? order : -order;
      });
      markSorted(headers, headers[column], state.ascending);
      var pages = Math.max(1, Math.ceil(shownRecords.length / PAGE_SIZE));
      state.page = Math.min(Math.max(state.page, 0), pages - 1);
      var start = state.page * PAGE_SIZE;
      body.textContent = "";
      shownRecords.slice(start, start + PAGE_SIZE).forEach(function (record) {
        var tr = element("tr");
        record.cells.forEach(function (cell, index) {
          var kind = data.columns[index].kind;
          var td = element("td", kind === "amount" ? "publisher-amount" : kind === "provenance" ? "publisher-provenance" : "");
          // A date or a row id broken at its hyphen reads as two values.
          if (kind === "date" || data.columns[index].key === "id") td.className = "publisher-ledger__nowrap";
          if (kind === "amount" && cell !== record.row[index]) td.title = record.row[index];
          if (kind === "decision" && cell && decisionsPage) {
            var a = element("a", "", cell);
            a.href = decisionsPage + "#" + decisionAnchor(record.row[index]);
            td.appendChild(a);
          } else {
            td.textContent = cell;
          }
          tr.appendChild(td);
        });
        body.appendChild(tr);
      });
      position.textContent = shownRecords.length
        ? say("position", {first: start + 1, last: Math.min(start + PAGE_SIZE, shownRecords.length), count: shownRecords.length})
        : say("no_match");
      previous.disabled = state.page === 0;
      next.disabled = state.page >= pages - 1;
    }

    status.textContent = "";
    if (state.exact) root.appendChild(exactNote);
    root.appendChild(input);
    if (data.columns.some(function (c) { return c.kind === "provenance"; })) root.appendChild(provenance);
    var scroller = scrollBox(say("ledger_scroll"));
    scroller.appendChild(table);
    root.appendChild(scroller);
    root.appendChild(pager);
    root.dataset.ready = "true";
    update();
  }

  function drawLedgers(after) {
    // The rows are fetched at once and laid out `after` (the charts of the first screen):
    // on a phone laying out a ledger's rows takes a few hundred milliseconds, and it is further
    // down the page.
    document.querySelectorAll(".publisher-ledger[data-src]:not([data-ready])").forEach(function (root) {
      root.dataset.ready = "loading";
      var rows = fetch(root.dataset.src)
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.json();
        });
      Promise.all([rows, after])
        .then(function (loaded) { renderLedger(root, loaded[0]); })
        .catch(function () {
          root.dataset.ready = "failed";
          root.querySelector(".publisher-ledger__status").textContent =
            say("ledger_failed");
        });
    });
  }

  /* Static tables marked `publisher-sortable`: each header with data-sort="text|amount|date"
     gets a sort button. A cell's data-sort-value, when it has one, is what it sorts on (for an
     amount, the exact "-1234.50"); else a date's <time datetime>, else the cell's text. */

  function cellKey(cell, kind) {
    if (!cell) return null;
    var value = cell.getAttribute("data-sort-value");
    if (kind === "amount") return value !== null ? exactAmount(value) : shownAmount(cell.textContent);
    if (value === null && kind === "date") {
      var time = cell.querySelector("time[datetime]");
      value = time ? time.getAttribute("datetime") : null;
    }
    value = (value === null ? cell.textContent : value).trim();
    return value === "" || value === "—" ? null : value;
  }

  function sortTable(table, index, kind, ascending) {
    Array.prototype.forEach.call(table.tBodies, function (body) {
      var keyed = Array.prototype.map.call(body.rows, function (row) {
        return { row: row, key: cellKey(row.cells[index], kind) };
      });
      keyed.sort(function (a, b) {
        var order = kind === "amount" || a.key === null || b.key === null ? compareKeys(a.key, b.key) : compareText(a.key, b.key);
        return a.key === null || b.key === null || ascending ? order : -order;
      });
      keyed.forEach(function (item) { body.appendChild(item.row); });
    });
  }

  function sortableTables() {
    document.querySelectorAll("table.publisher-sortable:not([data-sortable])").forEach(function (table) {
      table.dataset.sortable = "true";
      var headRow = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
      if (!headRow) return;
      Array.prototype.forEach.call(headRow.cells, function (th) {
        var kind = th.dataset.sort;
        if (kind !== "text" && kind !== "amount" && kind !== "date") return;
        var button = sortButton();
        while (th.firstChild) button.appendChild(th.firstChild);
        th.appendChild(button);
        button.addEventListener("click", function () {
          var ascending = th.getAttribute("aria-sort") !== "ascending";
          sortTable(table, th.cellIndex, kind, ascending);
          markSorted(headRow.cells, th, ascending);
        });
      });
    });
  }

  /* Tables with a filter box (the decisions): rows that do not contain the text are hidden. */
  function filterTables() {
    document.querySelectorAll(".publisher-filterable:not([data-ready])").forEach(function (root) {
      root.dataset.ready = "true";
      var input = root.querySelector(".publisher-table-filter");
      var rows = root.querySelectorAll("tbody tr");
      if (input) {
        input.addEventListener("input", function () {
          var text = input.value.toLowerCase();
          rows.forEach(function (row) { row.hidden = text !== "" && row.textContent.toLowerCase().indexOf(text) < 0; });
        });
      }
      // Instant navigation now and then keeps the previous page's scroll position: a link to
      // one decision (#decision-ID, from a ledger row) must land on that decision.
      var target = null;
      try { target = window.location.hash ? document.getElementById(decodeURIComponent(window.location.hash.slice(1))) : null; }
      catch (malformed) { target = null; }  // a "%" that starts no escape: no target
      if (target && root.contains(target)) target.scrollIntoView();
    });
  }

  /* Material wraps the tables without a class in a box that scrolls sideways when they are too
     wide: a keyboard must be able to reach it to scroll it. */
  function focusableScrollBoxes() {
    document.querySelectorAll(".md-typeset__scrollwrap:not([tabindex])").forEach(function (box) {
      var caption = box.querySelector("caption");
      var heading = box.previousElementSibling;
      while (heading && !/^H[1-6]$/.test(heading.tagName)) heading = heading.previousElementSibling;
      var name = caption ? caption.textContent : heading ? heading.textContent.replace(/\u00b6$/, "") : "";
      box.tabIndex = 0;
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", name.trim() ? say("table_named", {name: name.trim()}) : say("table"));
    });
  }

  /* Material's search is a dialog without a name (axe: aria-dialog-name); its input's label. */
  function nameSearchDialog() {
    var dialog = document.querySelector(".md-search[role='dialog']:not([aria-label]):not([aria-labelledby])");
    if (dialog) dialog.setAttribute("aria-label", say("search"));
  }

  function delay(ms) {
    return new Promise(function (resolve) { window.setTimeout(resolve, ms); });
  }

  function drawPage() {
    // A chart that never draws (plotly.js not arriving) holds the ledger back 5 s at most.
    var charts = drawCharts();
    drawLedgers(Promise.race([charts, delay(5000)]));
    sortableTables();
    filterTables();
    focusableScrollBoxes();
    nameSearchDialog();
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(drawPage);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawPage);
  } else {
    drawPage();
  }
})();
