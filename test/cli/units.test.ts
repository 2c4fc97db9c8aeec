// The CLI's pure parts: exit codes, option validation, filters, progress.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorLine } from '../../src/cli/error-line';
import { exitCode } from '../../src/cli/exit-codes';
import { canonicalHost, eventMatches, flowMatches, parseFlowSelectors, parseHosts, parsePorts, splitEndpoint, type FlowFilter } from '../../src/cli/filter';
import { parseFailOn, STDIN_TOKEN, validateAnalyzeArgs } from '../../src/cli/options';
import { createProgress } from '../../src/cli/progress';
import { UsageError } from '../../src/cli/usage-error';
import { makeFlow, probeEvent } from '../report/fixtures';

test('exit code: input errors (2) win over --fail-on hits (1)', () => {
  assert.equal(exitCode(0, 0), 0);
  assert.equal(exitCode(0, 3), 1);
  assert.equal(exitCode(1, 0), 2);
  assert.equal(exitCode(2, 5), 2);
});

test('--fail-on takes comma lists and repeats, and rejects unknown outcomes', () => {
  assert.deepEqual([...parseFailOn(['timeout,reset', 'unanswered'])].sort(), ['reset', 'timeout', 'unanswered']);
  assert.deepEqual([...parseFailOn([])], []);
  assert.throws(() => parseFailOn(['timeout,dead']), UsageError);
});

test('option validation: defaults, stdin token, bad numbers', () => {
  const o = validateAnalyzeArgs({ capture: ['a.pcap', STDIN_TOKEN] });
  assert.deepEqual(o.captures, ['a.pcap', '-']);
  assert.equal(o.format, 'table');
  assert.equal(o.timeMode, 'absolute');
  assert.equal(o.idleTimeoutSeconds, 9000);
  assert.equal(o.maxFlows, 1_000_000);
  assert.throws(() => validateAnalyzeArgs({ capture: [] }), UsageError);
  assert.throws(() => validateAnalyzeArgs({ capture: [STDIN_TOKEN, STDIN_TOKEN] }), UsageError);
  assert.throws(() => validateAnalyzeArgs({ capture: ['a'], idleTimeout: -1 }), UsageError);
  assert.throws(() => validateAnalyzeArgs({ capture: ['a'], idleTimeout: Number.NaN }), UsageError);
  assert.throws(() => validateAnalyzeArgs({ capture: ['a'], maxFlows: 1.5 }), UsageError);
  assert.throws(() => validateAnalyzeArgs({ capture: ['a'], format: 'xml' }), UsageError);
});

test('hosts and ports are checked and IPv6 compared in canonical form', () => {
  assert.deepEqual(parseHosts(['2001:DB8:0:0:0:0:0:1', '[::1]', '10.1.2.3']), ['2001:db8::1', '::1', '10.1.2.3']);
  assert.throws(() => parseHosts(['example.com']), UsageError);
  assert.deepEqual(parsePorts(['443', 0, '65535']), [443, 0, 65535]);
  for (const bad of ['65536', '-1', 'http', '', '1.5']) assert.throws(() => parsePorts([bad]), UsageError, bad);
  assert.deepEqual(parseFlowSelectors(['3', '1:4']), [{ capture: null, id: 3 }, { capture: 1, id: 4 }]);
  assert.throws(() => parseFlowSelectors(['x']), UsageError);
  assert.deepEqual(splitEndpoint('[2001:db8::1]:443'), { host: '2001:db8::1', port: 443 });
  assert.deepEqual(splitEndpoint('192.0.2.1:80'), { host: '192.0.2.1', port: 80 });
  assert.equal(canonicalHost('2001:0db8::0001'), '2001:db8::1');
});

test('filters: kinds combine with AND, values with OR; events match on their own fields', () => {
  const f = makeFlow(); // 192.0.2.1:50000 → [2001:db8::1]:443, id 1
  const none: FlowFilter = { hosts: [], ports: [], flows: [] };
  assert.ok(flowMatches(none, 0, f));
  assert.ok(flowMatches({ ...none, hosts: parseHosts(['2001:db8:0::1']) }, 0, f));
  assert.ok(!flowMatches({ ...none, hosts: ['192.0.2.2'] }, 0, f));
  assert.ok(flowMatches({ ...none, ports: [80, 443] }, 0, f));
  assert.ok(!flowMatches({ ...none, ports: [443], hosts: ['192.0.2.9'] }, 0, f));
  assert.ok(flowMatches({ ...none, flows: [{ capture: null, id: 1 }] }, 5, f));
  assert.ok(!flowMatches({ ...none, flows: [{ capture: 0, id: 1 }] }, 1, f));
  assert.ok(eventMatches({ ...none, ports: [50000] }, 0, probeEvent));
  assert.ok(!eventMatches({ ...none, flows: [{ capture: null, id: 2 }] }, 0, probeEvent));
});

test('error lines name the file once', () => {
  assert.equal(errorLine('a.pcap', 'a.pcap: cannot open: no such file'), 'a.pcap: cannot open: no such file');
  assert.equal(errorLine('a.pcap', 'truncated record at byte 40'), 'a.pcap: truncated record at byte 40');
});

test('progress: nothing when not a terminal or within the first second; erased at the end', () => {
  let t = 0;
  const writes: string[] = [];
  const piped = createProgress({ isTTY: false, write: (s: string) => writes.push(s) }, 'f', () => t);
  t = 5000; piped.update(10, 100, 1); piped.end();
  assert.equal(writes.length, 0);

  t = 0;
  const tty = createProgress({ isTTY: true, write: (s: string) => writes.push(s) }, 'f.pcap', () => t);
  t = 900; tty.update(10, 100, 1);
  assert.equal(writes.length, 0);
  t = 2000; tty.update(2_500_000, 10_000_000, 4000);
  assert.equal(writes.length, 1);
  // 4000 packets in 2 s: 2000 packets/s; 2.5 of 10 MB: 25 %.
  assert.equal(writes[0], '\r\x1b[2Kkeepalive: f.pcap: 2.5 MB of 10.0 MB (25%), 4000 packets, 2.0k packets/s');
  tty.end();
  assert.equal(writes[1], '\r\x1b[2K');
  tty.end();
  assert.equal(writes.length, 2);
});
