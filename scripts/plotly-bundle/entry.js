// The plotly.js trace types the publisher's charts use, and nothing else: each one costs the
// readers' phones bytes to fetch and parse. Add a type here when a chart builder starts using
// it, then run scripts/build-plotly-bundle.sh (tests/test_plotly_bundle.py checks that the charts use exactly these).
var Plotly = require('plotly.js/lib/core');

Plotly.register([
    require('plotly.js/lib/bar'),
    require('plotly.js/lib/sankey'),
    require('plotly.js/lib/scatter')
]);

module.exports = Plotly;
