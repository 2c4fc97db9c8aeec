// `keepalive live`: checks, opens the device and output file, runs a session. Every failure before
// the capture starts is one line on stderr and exit code 2.
import { CAP_MISSING, loadCap } from './cap-module';
import { openDevice } from './device';
import { captureFilter } from './filter';
import type { LiveIo, LiveOptions } from './options';
import { PcapWriter } from './pcap-writer';
import { CAP_BUFFER_BYTES, LiveSession } from './session';
import { linkTypeName } from '../report/format';

export async function runLive(opts: LiveOptions, io: LiveIo): Promise<number> {
  const cap = loadCap();
  if (cap === null) {
    io.err.write(`${CAP_MISSING}\n`);
    return 2;
  }
  const buf = Buffer.alloc(CAP_BUFFER_BYTES);
  const filter = captureFilter(opts.filter);
  const dev = openDevice(cap, opts.iface, filter, opts.filter, opts.bufferBytes, buf);
  if (typeof dev === 'string') {
    io.err.write(`keepalive: ${dev}\n`);
    return 2;
  }
  let writer: PcapWriter | null = null;
  if (opts.writeFile !== undefined) {
    const w = PcapWriter.open(opts.writeFile, dev.linkType, opts.snaplen);
    if (typeof w === 'string') {
      dev.handle.close();
      io.err.write(`keepalive: ${w}\n`);
      return 2;
    }
    writer = w;
  }
  io.err.write(`keepalive: listening on ${opts.iface} (${linkTypeName(dev.linkType)}), snaplen ${opts.snaplen}` +
    `${opts.filter ? `, filter: ${opts.filter}` : ''}\n`);
  return new LiveSession(opts, io, dev.handle, dev.linkType, buf, writer).run();
}
