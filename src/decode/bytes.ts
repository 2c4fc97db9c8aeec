// Big-endian reads straight from the bytes. Callers have already checked that the bytes lie inside
// the captured range, so Buffer.readUInt32BE's own bounds check (and, when it is not inlined, a
// call and a boxed result per field) is not needed on the per-packet path.

/** Unsigned 32-bit big-endian value at `o`; the caller guarantees o + 4 <= buf.length. */
export const u32 = (buf: Buffer, o: number): number =>
  buf[o] * 0x1000000 + ((buf[o + 1] << 16) | (buf[o + 2] << 8) | buf[o + 3]);
