// Installing as a command outside the repository (README "Installing"): `npm pack`, then
// `npm install -g --prefix TMP` of the tarball, offline, and the installed bin runs. The tarball
// bundles its dependencies, so no registry is needed; if npm still cannot install offline here,
// the test skips and says why.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, run } from './run';

const tmp = mkdtempSync(join(tmpdir(), 'keepalive-install-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** The environment without npm's lifecycle variables (npm test sets npm_config_* for its children). */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  env.npm_config_cache = process.env.npm_config_cache ?? join(process.env.HOME ?? tmp, '.npm');
  return env;
}

function npm(args: readonly string[], cwd: string): { code: number | null; out: string } {
  const r = spawnSync('npm', args, { cwd, env: cleanEnv(), encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

test('npm pack, then npm install -g --prefix of the tarball, offline: the installed keepalive runs', (t) => {
  if (spawnSync('npm', ['--version'], { encoding: 'utf8' }).status !== 0) { t.skip('npm not found'); return; }
  // dist/ is built already (the tests run from it): pack without running prepare again.
  const packDir = join(tmp, 'pack');
  mkdirSync(packDir);
  const pack = npm(['pack', '--ignore-scripts', '--pack-destination', packDir], ROOT);
  assert.equal(pack.code, 0, pack.out);
  const tgz = readdirSync(packDir).find((n) => n.endsWith('.tgz'));
  assert.ok(tgz !== undefined, pack.out);
  const tarball = join(packDir, tgz);
  // What a user installs: the built code and the native addon's sources, not the tests and captures.
  const listing = spawnSync('tar', ['tzf', tarball], { encoding: 'utf8' }).stdout.split('\n');
  assert.ok(listing.includes('package/bin/keepalive.js'));
  assert.ok(listing.includes('package/dist/src/cli/main.js'));
  assert.ok(listing.some((f) => f.startsWith('package/node_modules/yargs/')), 'dependencies bundled');
  assert.ok(!listing.some((f) => f.startsWith('package/test/') || f.startsWith('package/fixtures/') || f.startsWith('package/dist/test/')));

  const prefix = join(tmp, 'prefix');
  const install = npm(['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', tarball], tmp);
  if (install.code !== 0 && /ENOTCACHED|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|network/i.test(install.out)) {
    t.skip(`npm cannot install the tarball offline here: ${install.out.split('\n').find((l) => /error/i.test(l)) ?? install.out.trim()}`);
    return;
  }
  assert.equal(install.code, 0, install.out);

  const bin = join(prefix, 'bin', 'keepalive');
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const version = spawnSync(bin, ['--version'], { cwd: tmp, encoding: 'utf8', timeout: 60_000 });
  assert.equal(version.status, 0, version.stderr);
  assert.equal(version.stdout.trim(), pkg.version);
  // The installed command reports a capture exactly as the checkout's does.
  const capture = join(ROOT, 'fixtures', 'peer-reset.pcap');
  const installed = spawnSync(bin, ['analyze', '--format', 'json', capture], { cwd: tmp, encoding: 'utf8', timeout: 60_000 });
  assert.equal(installed.status, 0, installed.stderr);
  assert.equal(installed.stdout, run(['analyze', '--format', 'json', capture]).stdout);
  assert.match(spawnSync(bin, ['analyze', capture], { cwd: tmp, encoding: 'utf8' }).stdout, /end rst from server/);
});
