// Opening an input by name (`-` = standard input) and peeling gzip off, detected by its magic.
import * as fs from 'node:fs';
import type { ReadContext } from './context';
import { READ_BUFFER_SIZE } from './limits';
import { isGzip } from './sniff';
import { GzipMembers } from './gzip';
import { type ByteSource, FileSource, describeIoError, fdStreamSource, stdinSource } from './source';

export interface OpenedInput {
  source: ByteSource;
  /** Size of a plain regular file, for progress; null for pipes and compressed input. */
  totalBytes: number | null;
  /** The read buffer, already holding the first `end` bytes of the (decompressed) input. */
  buf: Buffer;
  end: number;
  /** True when the (decompressed) input is exhausted already. */
  eof: boolean;
}

/** Reads until `buf` holds at least `min` bytes from `off` or the source ends. */
export async function fillAtLeast(src: ByteSource, buf: Buffer, end: number, min: number): Promise<{ end: number; eof: boolean }> {
  while (end < min) {
    const r = src.read(buf, end, buf.length - end);
    const n = typeof r === 'number' ? r : await r;
    if (n === 0) return { end, eof: true };
    end += n;
  }
  return { end, eof: false };
}

/** Opens `file`; on failure records one line in ctx and returns null. */
export async function openInput(file: string, ctx: ReadContext, bufferSize = READ_BUFFER_SIZE): Promise<OpenedInput | null> {
  let raw: ByteSource;
  let totalBytes: number | null = null;
  if (file === '-') {
    if (process.stdin.isTTY === true) { ctx.fail('standard input is a terminal, not a capture (pipe one in, e.g. tcpdump -w - | …)'); return null; }
    raw = stdinSource();
  } else {
    let fd: number;
    let seekable = false;
    let pipeLike = false;
    try {
      fd = fs.openSync(file, 'r');
    } catch (e) { ctx.fail(`cannot open: ${describeIoError(e)}`); return null; }
    try {
      const st = fs.fstatSync(fd);
      if (st.isDirectory()) { fs.closeSync(fd); ctx.fail('is a directory, not a capture file'); return null; }
      if (st.isFile()) { totalBytes = st.size; seekable = true; }
      pipeLike = st.isFIFO() || st.isSocket();
    } catch (e) { fs.closeSync(fd); ctx.fail(`cannot open: ${describeIoError(e)}`); return null; }
    // A FIFO or socket (`<(zcat …)`, a named pipe) is read through libuv's poll, not by a thread
    // blocked in read(): such a read can stall for good, and would keep the process from exiting
    // after a Ctrl-C.
    raw = pipeLike ? fdStreamSource(fd) : new FileSource(fd, seekable ? 0 : null);
  }
  const buf = Buffer.allocUnsafe(bufferSize);
  let got: { end: number; eof: boolean };
  try {
    got = await fillAtLeast(raw, buf, 0, 4);
  } catch (e) { raw.close(); ctx.fail(`cannot read: ${describeIoError(e)}`); return null; }
  if (!isGzip(buf, got.end)) return { source: raw, totalBytes, buf, end: got.end, eof: got.eof };

  ctx.info.gzip = true;
  // Decompresses gzip from the bytes read so far followed by the rest of `raw`; errors surface from read().
  const source = new GzipMembers(Buffer.from(buf.subarray(0, got.end)), raw);
  try {
    got = await fillAtLeast(source, buf, 0, 4);
  } catch (e) { source.close(); ctx.fail(describeIoError(e)); return null; }
  return { source, totalBytes: null, buf, end: got.end, eof: got.eof };
}
