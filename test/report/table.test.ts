import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEvent, renderInputTable } from '../../src/report/table';
import { ackEvent, makeFlow, makeInput, probeEvent } from './fixtures';

test('table: header names format, link types, packets and span; rows show human durations', () => {
  const text = renderInputTable(makeInput(0, [makeFlow()]), { timeMode: 'absolute', events: false }, false);
  assert.match(text, /^in0\.pcap: pcap \(µs\), ethernet, linux-sll, 10 packets\n/);
  // 22:13:20 → 00:13:23 next day is 2 h 0 min 3 s.
  assert.match(text, /span: 2023-11-14T22:13:20\.000000Z → 2023-11-15T00:13:23\.000000Z \(2h 0m 3s\)/);
  assert.match(text, /warning: reader warning/);
  assert.match(text, /192\.0\.2\.1:50000 → \[2001:db8::1\]:443/);
  for (const s of ['2h 0m 0s', '75.0 s', '0.21 ms', '3/1/0', 'linux', '2h 0m 3s']) assert.ok(text.includes(s), s);
  assert.match(text, /decoder anomalies: tcp-truncated 1/);
});

test('table: --events timeline with frame, relative and absolute time', () => {
  const text = renderInputTable(makeInput(0, [makeFlow()], [probeEvent, ackEvent]), { timeMode: 'absolute', events: true }, false);
  assert.match(text, /events of flow #1/);
  assert.match(text, /5 +7200\.000000 +2023-11-15T00:13:20\.000000Z +client → server +probe 0 B after 2h 0m 0s idle/);
  assert.match(text, /6 +7200\.000210 +2023-11-15T00:13:20\.000210Z +server → client +ack of probe 5, RTT 0\.21 ms/);
  const epoch = renderInputTable(makeInput(0, [makeFlow()], [probeEvent]), { timeMode: 'epoch', events: true }, false);
  // 2023-11-15T00:13:20Z is 1700000000 + 2 h.
  assert.match(epoch, /1700007200\.000000/);
});

test('table: no flows says why', () => {
  const text = renderInputTable(makeInput(0, []), { timeMode: 'absolute', events: false }, false);
  assert.match(text, /no keepalive activity/);
});

test('event descriptions cover every kind', () => {
  assert.equal(describeEvent({ type: 'probe-reset', frame: ackEvent.frame, time: ackEvent.time, relTime: 1, flow: 1, from: 'a', to: 'b', probeFrame: probeEvent.frame, rttMs: 0.21 }),
    'reset answering probe 5 after 0.21 ms');
  assert.equal(describeEvent({ type: 'keepalive-timeout', frame: probeEvent.frame, time: probeEvent.time, relTime: 1, flow: 1, from: 'a', to: 'b', probes: 9, via: 'rst' }),
    'keepalive gave up after 9 probes (rst)');
});
