#!/usr/bin/env node
// Builds native/ (our libpcap addon, kernel timestamps for `keepalive live`) with node-gyp.
// Run by npm's "install" script, or by hand: node scripts/build-native.js
//
// The addon is optional: without libpcap's headers or a C compiler the build fails, this script
// prints one note and exits 0, and `keepalive live` falls back to `cap` (arrival-time stamps).
// node-gyp's full output goes to native/build/build-native.log either way.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const nativeDir = path.join(root, 'native');
const logFile = path.join(nativeDir, 'build', 'build-native.log');

/** How to run node-gyp: npm's lifecycle setting, then PATH, then the copy bundled with npm. */
function nodeGyp() {
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm && fs.existsSync(fromNpm)) return [process.execPath, fromNpm];
  const onPath = spawnSync('node-gyp', ['--version'], { stdio: 'ignore' });
  if (onPath.status === 0) return ['node-gyp'];
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  for (const lib of [path.join(prefix, 'lib', 'node_modules'), path.join(path.dirname(process.execPath), 'node_modules')]) {
    const js = path.join(lib, 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
    if (fs.existsSync(js)) return [process.execPath, js];
  }
  return null;
}

/**
 * npm hands lifecycle scripts its `nodedir` setting as npm_config_nodedir, which node-gyp reads.
 * Run by hand there is no such variable: use the headers installed next to this node when present,
 * so node-gyp does not try to download them.
 */
function env() {
  const e = { ...process.env };
  if (!e.npm_config_nodedir) {
    const prefix = path.resolve(path.dirname(process.execPath), '..');
    if (fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) e.npm_config_nodedir = prefix;
  }
  return e;
}

function why(output) {
  if (/pcap\/pcap\.h|pcap\.h: No such file|cannot find -lpcap/.test(output)) return 'libpcap headers not found (apt-get install libpcap-dev)';
  if (/(cc|gcc|make|c\+\+|g\+\+): (command )?not found|not found: make|No such file or directory.*\b(cc|gcc|make)\b/i.test(output)) {
    return 'no C compiler or make';
  }
  if (/find Python|python.*not found/i.test(output)) return 'node-gyp found no Python';
  return null;
}

function note(reason) {
  process.stderr.write(`keepalive: native capture addon not built (${reason}); live capture falls back to cap (arrival-time stamps) if that built. ` +
    'Install libpcap-dev and a C compiler, then npm rebuild (or node scripts/build-native.js).\n');
}

function main() {
  const gyp = nodeGyp();
  if (gyp === null) {
    note('node-gyp not found');
    return;
  }
  const r = spawnSync(gyp[0], [...gyp.slice(1), 'rebuild'], { cwd: nativeDir, env: env(), encoding: 'utf8' });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`;
  try {
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    fs.writeFileSync(logFile, output);
  } catch {
    // The log is a convenience.
  }
  if (r.status === 0) {
    process.stdout.write(`keepalive: built ${path.relative(root, path.join(nativeDir, 'build', 'Release', 'keepalive_pcap.node'))}\n`);
    return;
  }
  note(`${why(output) ?? `node-gyp exited with ${r.status ?? r.signal}`}; see ${path.relative(root, logFile)}`);
}

try {
  main();
} catch (e) {
  note(String(e && e.message ? e.message : e));
}
process.exitCode = 0;
