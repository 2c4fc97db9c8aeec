// Sanity limits for untrusted capture files. Memory use is the read buffer plus one record/block,
// whatever a length field claims.

/** Largest captured length we accept: libpcap's maximum snap length for almost every link type. */
export const MAX_CAPLEN = 262144;
/** Largest pcapng block we buffer; anything bigger is treated as corruption (libpcap uses 16 MiB too). */
export const MAX_BLOCK = 16 * 1024 * 1024;
/**
 * Default size of the reused read buffer. Small enough that the bytes a read just copied in are
 * still in the core's L2 cache when the parser and decoder reach them (with 4 MiB they were not,
 * and read + decode took about a quarter longer); large enough that the per-read cost stays
 * negligible (4096 reads per GiB). A block larger than this grows the buffer once.
 */
export const READ_BUFFER_SIZE = 256 * 1024;
/** Progress callbacks are rate-limited to this interval. */
export const PROGRESS_INTERVAL_MS = 250;
/** Parsers return to the reader after this many records so progress is checked even with a slow sink. */
export const RECORDS_PER_SLICE = 8192;
