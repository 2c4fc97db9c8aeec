// pcapng timestamps: a 64-bit count of units since 1970 (+ if_tsoffset seconds), where the unit is
// 10^-n or 2^-n s (if_tsresol, pcapng spec §4.2). Counts can exceed 2^53, so they are converted with
// exact double arithmetic on the two 32-bit halves; only exotic resolutions fall back to BigInt.

const TWO32 = 4294967296;

/** Seconds from 1970 to the end of the range a JavaScript Date (and an ISO date) can hold. */
export const DATE_MAX_SEC = 8.64e12;

const enum Kind {
  /** 10^-n, n ≤ 9 (U ≤ 1e9): 16-bit modular steps stay below 2^53. */
  Decimal,
  /** 10^-n, 9 < n ≤ 12: 8-bit modular steps, nanoseconds by truncating division. */
  DecimalFine,
  /** 2^-n, n ≤ 32: shifts and one product below 2^53. */
  Binary,
  /** Anything else (10^-13…, 2^-33…): BigInt, per packet, acceptable for such rare files. */
  Big,
}

/** Fractional-second digits a resolution resolves: 10^-n → n, 2^-n → ceil(n·log10 2), capped at 9. */
export function tsresolDigits(tsresol: number): number {
  const n = tsresol & 0x7f;
  const digits = (tsresol & 0x80) !== 0 ? Math.ceil(n * Math.LOG10E * Math.LN2) : n;
  return Math.min(9, digits);
}

/** Converts one interface's raw timestamps; result in `sec`/`nsec` (reused, no allocation). */
export class TsConverter {
  sec = 0;
  nsec = 0;
  readonly digits: number;
  private readonly kind: Kind;
  /** Units per second (Decimal kinds). */
  private readonly unit: number;
  /** Decimal: nanoseconds per unit (U ≤ 1e9) or units per nanosecond (finer). */
  private readonly nsFactor: number;
  /** Binary: n of 2^-n. */
  private readonly shift: number;
  private readonly bigUnit: bigint;
  /** Decimal: cached split of the last high word. */
  private hi = -1;
  private hiRem = 0;
  private hiSec = 0;

  /**
   * @param tsresol raw if_tsresol byte (default 6: microseconds)
   * @param offsetSec if_tsoffset, whole seconds added to every timestamp
   */
  constructor(readonly tsresol: number = 6, private readonly offsetSec: number = 0) {
    this.digits = tsresolDigits(tsresol);
    const n = tsresol & 0x7f;
    this.unit = 1; this.nsFactor = 1; this.shift = 0; this.bigUnit = 1n;
    if ((tsresol & 0x80) !== 0) {
      this.shift = n;
      this.kind = n <= 32 ? Kind.Binary : Kind.Big;
    } else if (n <= 9) {
      this.kind = Kind.Decimal; this.unit = 10 ** n; this.nsFactor = 10 ** (9 - n);
    } else if (n <= 12) {
      this.kind = Kind.DecimalFine; this.unit = 10 ** n; this.nsFactor = 10 ** (n - 9);
    } else {
      this.kind = Kind.Big; this.bigUnit = 10n ** BigInt(n);
    }
  }

  /** Sets `sec`/`nsec` from the timestamp's high and low 32-bit words. */
  convert(hi: number, lo: number): void {
    switch (this.kind) {
      case Kind.Decimal: {
        const u = this.unit;
        // Consecutive packets share the high word (it changes every ~71 min at ns resolution), so
        // hi·2^32 = hiSec·U + hiRem is computed once per high word.
        if (hi !== this.hi) {
          // (hi·2^32) mod U, multiplying by 2^16 twice so every intermediate stays below 2^53.
          this.hiRem = (((hi % u) * 65536) % u) * 65536 % u;
          // The dividend is a multiple of U; the double error is far below 0.5 for any sane second count.
          this.hiSec = Math.round((hi * TWO32 - this.hiRem) / u);
          this.hi = hi;
        }
        // x < U + 2^32: exact, and x / U is never within rounding distance of the next integer.
        const x = this.hiRem + lo;
        const q = Math.floor(x / u);
        this.sec = this.hiSec + q + this.offsetSec;
        this.nsec = (x - q * u) * this.nsFactor;
        return;
      }
      case Kind.DecimalFine: {
        const u = this.unit;
        let rem = hi % u;
        rem = (rem * 256) % u; rem = (rem * 256) % u; rem = (rem * 256) % u; rem = (rem * 256) % u;
        rem = (rem + lo) % u;
        this.sec = Math.round((hi * TWO32 + lo - rem) / u) + this.offsetSec;
        this.nsec = Math.floor(rem / this.nsFactor);
        return;
      }
      case Kind.Binary: {
        const n = this.shift;
        const scale = 2 ** n;
        const frac = lo % scale;
        this.sec = hi * 2 ** (32 - n) + (lo - frac) / scale + this.offsetSec;
        // ns = frac·1e9 / 2^n = frac·1953125 / 2^(n-9); frac·1953125 < 2^53 for n ≤ 32, and dividing
        // by a power of two is exact.
        this.nsec = Math.floor((frac * 1953125) / 2 ** (n - 9));
        return;
      }
      case Kind.Big: {
        const t = (BigInt(hi) << 32n) | BigInt(lo);
        if ((this.tsresol & 0x80) !== 0) {
          const s = BigInt(this.shift);
          this.sec = Number(t >> s) + this.offsetSec;
          this.nsec = Number(((t & ((1n << s) - 1n)) * 1000000000n) >> s);
        } else {
          this.sec = Number(t / this.bigUnit) + this.offsetSec;
          this.nsec = Number(((t % this.bigUnit) * 1000000000n) / this.bigUnit);
        }
        return;
      }
    }
  }
}
