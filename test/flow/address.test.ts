import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatEndpoint, formatIp, formatIpv4Endpoint } from '../../src/flow/address';

test('an IPv4 endpoint from its 32-bit word reads as from its bytes, high bit set or not', () => {
  const words = [0, 1, 0x7f000001, 0x0a000001, 0x80000000 | 0, 0xc0a80101 | 0, 0xffffffff | 0, -1062731519];
  for (let i = 0; i < 1000; i++) words.push((Math.imul(i, 2654435761) ^ (i << 7)) | 0);
  for (const w of words) {
    const bytes = Buffer.alloc(4);
    bytes.writeInt32BE(w, 0);
    for (const port of [0, 443, 65535]) assert.equal(formatIpv4Endpoint(w, port), formatEndpoint(bytes, port));
  }
  assert.equal(formatIpv4Endpoint(0xc0a80101 | 0, 22), '192.168.1.1:22');
});

// RFC 5952 §4.2: the longest run of two or more zero groups becomes '::', the first on a tie; a
// single zero group stays; hex in lower case without leading zeros.
const v6Rows: readonly { groups: number[]; text: string }[] = [
  { groups: [0x2001, 0xdb8, 0, 0, 0, 0, 0, 1], text: '2001:db8::1' },
  { groups: [0, 0, 0, 0, 0, 0, 0, 0], text: '::' },
  { groups: [0, 0, 0, 0, 0, 0, 0, 1], text: '::1' },
  { groups: [1, 0, 0, 0, 0, 0, 0, 0], text: '1::' },
  { groups: [0xfe80, 0, 0, 0, 0xa, 0xb, 0xc, 0xd], text: 'fe80::a:b:c:d' },
  { groups: [0x2001, 0xdb8, 0, 1, 1, 1, 1, 1], text: '2001:db8:0:1:1:1:1:1' },
  { groups: [0x2001, 0, 0, 1, 0, 0, 0, 1], text: '2001:0:0:1::1' },
  { groups: [0x2001, 0xdb8, 0, 0, 1, 0, 0, 1], text: '2001:db8::1:0:0:1' },
  { groups: [0, 1, 0, 1, 0, 1, 0, 1], text: '0:1:0:1:0:1:0:1' },
  { groups: [1, 2, 3, 4, 5, 6, 7, 0xffff], text: '1:2:3:4:5:6:7:ffff' },
  { groups: [1, 0, 0, 2, 0, 0, 0, 0], text: '1:0:0:2::' },
];
for (const row of v6Rows) {
  test(`IPv6 ${row.text} as RFC 5952 writes it`, () => {
    const b = Buffer.alloc(16);
    row.groups.forEach((g, i) => b.writeUInt16BE(g, 2 * i));
    assert.equal(formatIp(b), row.text);
    assert.equal(formatEndpoint(b, 443), `[${row.text}]:443`);
  });
}
