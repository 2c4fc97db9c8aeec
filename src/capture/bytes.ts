// Unsigned 32-bit reads of bytes the caller has already checked are buffered: no bounds check and
// no call per field on the per-record path (Buffer.readUInt32LE checks bounds, and where it is not
// inlined its result above 2^31 is boxed in a fresh heap number).

export const u32le = (b: Buffer, o: number): number => ((b[o + 3] << 24) | (b[o + 2] << 16) | (b[o + 1] << 8) | b[o]) >>> 0;
export const u32be = (b: Buffer, o: number): number => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
