import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatEndpoint, formatIpv4Endpoint } from '../../src/flow/address';

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
