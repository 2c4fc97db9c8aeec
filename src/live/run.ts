// `keepalive live`: checks, opens the device and output file, runs a session. Every failure before
// the capture starts is one line on stderr and exit code 2.
import { limitHeapGrowth } from '../runtime/heap-limits';
import { LIVE_MISSING, loadCap } from './cap-module';
import { captureFilter } from './filter';
import { loadNative } from './native-module';
import type { LiveIo, LiveOptions } from './options';
import { PcapWriter } from './pcap-writer';
import { LiveSession } from './session';
import { CapSource, NativeSource, type PacketSource } from './source';
import { linkTypeName } from '../report/format';

/** The native addon when it loads (kernel timestamps), else cap (arrival stamps), else null. */
export function openSource(opts: LiveOptions): { source: PacketSource | string; note: string } | null {
  const filter = captureFilter(opts.filter);
  const native = loadNative();
  if (native.mod !== null) {
    return { source: NativeSource.open(native.mod, opts.iface, filter, opts.filter, opts.snaplen, opts.bufferBytes), note: '' };
  }
  const cap = loadCap();
  if (cap === null) return null;
  return {
    source: CapSource.open(cap, opts.iface, filter, opts.filter, opts.snaplen, opts.bufferBytes),
    note: ` from cap: ${native.why}`,
  };
}

export async function runLive(opts: LiveOptions, io: LiveIo): Promise<number> {
  limitHeapGrowth(); // a capture that runs for days must not grow the heap past its need
  const opened = openSource(opts);
  if (opened === null) {
    io.err.write(`${LIVE_MISSING}\n`);
    return 2;
  }
  const { source, note } = opened;
  if (typeof source === 'string') {
    io.err.write(`keepalive: ${source}\n`);
    return 2;
  }
  let writer: PcapWriter | null = null;
  if (opts.writeFile !== undefined) {
    const w = PcapWriter.open(opts.writeFile, source.linkType, opts.snaplen, undefined, source.tsDigits);
    if (typeof w === 'string') {
      source.close();
      io.err.write(`keepalive: ${w}\n`);
      return 2;
    }
    writer = w;
  }
  const stamps = source.stamps === 'kernel'
    ? `kernel timestamps (${source.tsDigits === 9 ? 'ns' : 'µs'})`
    : `arrival-time stamps (µs)${note}`;
  io.err.write(`keepalive: listening on ${opts.iface} (${linkTypeName(source.linkType)}), snaplen ${opts.snaplen}` +
    `${opts.filter ? `, filter: ${opts.filter}` : ''}, ${stamps}\n`);
  return new LiveSession(opts, io, source, writer).run();
}
