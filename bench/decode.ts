// Phase "decode": readCapture feeding Decoder.decode for every record (no flow engine).
import { readCapture } from '../src/capture/open';
import type { PacketSink } from '../src/capture/types';
import { Decoder } from '../src/decode/decoder';
import { PacketKind } from '../src/decode/packet';
import { runPhase } from './phase';

class DecodingSink implements PacketSink {
  readonly decoder = new Decoder();
  packets = 0;
  tcp = 0;
  packet(frame: number, linkType: number, sec: number, nsec: number, tsDigits: number,
    buf: Buffer, off: number, caplen: number): void {
    this.packets++;
    // Counting the kinds keeps the decode result live, so the work cannot be optimised away.
    if (this.decoder.decode(linkType, buf, off, caplen) === PacketKind.Tcp) this.tcp++;
  }
}

runPhase('decode', async (file) => {
  const sink = new DecodingSink();
  const info = await readCapture(file, sink);
  let weird = 0;
  for (const n of Object.values(sink.decoder.weird)) weird += n;
  return { packets: sink.packets, bytes: info.bytesRead, error: info.error, extra: { tcp: sink.tcp, weird } };
});
