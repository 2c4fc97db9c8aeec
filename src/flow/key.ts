// Flow keys hashed straight from the packet's bytes: no strings, no per-packet objects.
// The hash is symmetric (sum of the two endpoint hashes) so both directions land in one bucket.

function endpointHash(buf: Buffer, addrOff: number, addrLen: number, port: number): number {
  let h = Math.imul(port ^ 0x811c9dc5, 0x01000193);
  for (let i = 0; i < addrLen; i++) h = Math.imul(h ^ buf[addrOff + i], 0x01000193);
  return h ^ (h >>> 15);
}

export function flowHash(buf: Buffer, srcOff: number, dstOff: number, addrLen: number,
  sport: number, dport: number, vlanOuter: number, vlanInner: number): number {
  const h = (endpointHash(buf, srcOff, addrLen, sport) + endpointHash(buf, dstOff, addrLen, dport)) | 0;
  // 30 bits: V8 keeps small integers unboxed (Smi), so Map lookups by this key allocate nothing.
  return (Math.imul(h ^ (vlanOuter << 12 | vlanInner), 0x9e3779b1) ^ (h >>> 16)) & 0x3fffffff;
}
