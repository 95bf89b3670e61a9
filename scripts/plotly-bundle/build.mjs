// Builds the partial plotly.js bundle: plotly.js's own core with only the trace types that
// entry.js registers, minified by esbuild as plotly.js builds its own bundles (its
// esbuild-config.js), into OUT_DIR/plotly-partial-VERSION.min.js.
//
//     node build.mjs OUT_DIR
//
// Run it through scripts/build-plotly-bundle.sh, which installs the exact versions of
// package-lock.json first. The same inputs give the same bytes: no date, no absolute path and
// no machine-specific text reaches the output.
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, 'package.json'));
const esbuild = require('esbuild');

const outDir = process.argv[2];
if (!outDir) {
    console.error('usage: node build.mjs OUT_DIR');
    process.exit(2);
}

const version = require('plotly.js/package.json').version;
const entry = readFileSync(join(here, 'entry.js'), 'utf8');
const traces = [...entry.matchAll(/require\('plotly\.js\/lib\/([a-z0-9]+)'\)/g)]
    .map((match) => match[1])
    .filter((name) => name !== 'core');
const fileName = `plotly-partial-${version}.min.js`;

// plotly.js's licence travels with its code; the licences of the libraries it bundles are
// kept at the end by esbuild (legalComments: 'eof').
const banner = [
    '/**',
    `* plotly.js (partial: ${traces.join(', ')} - minified) v${version}`,
    '* Copyright 2012-2026, Plotly, Inc.',
    '* All rights reserved.',
    '* Licensed under the MIT license',
    '* Built for coop-publisher by scripts/build-plotly-bundle.sh',
    '*/'
].join('\n');

const result = await esbuild.build({
    absWorkingDir: here,
    entryPoints: ['entry.js'],
    bundle: true,
    minify: true,
    format: 'iife',
    globalName: 'Plotly',
    target: 'es2016',
    banner: { js: banner },
    legalComments: 'eof',
    charset: 'utf8',
    alias: {
        // as in plotly.js's esbuild-config.js: one copy of regl
        regl: '@plotly/regl'
    },
    define: {
        global: 'window',
        'define.amd': 'false',
        'process.env.NODE_DEBUG': 'false'
    },
    // Only map traces inject a stylesheet (maplibre-gl's), and none is registered: without
    // this loader esbuild would write that stylesheet beside the bundle.
    loader: { '.css': 'empty' },
    write: false,
    logLevel: 'warning'
});
const code = result.outputFiles[0].text;
if (code.includes(here)) {
    console.error('the bundle names the build directory: it would differ between machines');
    process.exit(1);
}

for (const name of readdirSync(outDir)) {
    // the bundle of an earlier version, which the site must not ship next to this one
    if (/^plotly-.*\.min\.js$/.test(name) && name !== fileName) rmSync(join(outDir, name));
}
writeFileSync(join(outDir, fileName), code);
console.log(`${join(outDir, fileName)}: ${Buffer.byteLength(code)} bytes, traces ${traces.join(', ')}`);
