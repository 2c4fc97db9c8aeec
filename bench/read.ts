// Phase "read": readCapture with a sink that only counts, i.e. the reader's own cost.
import { readCapture } from '../src/capture/open';
import type { PacketSink } from '../src/capture/types';
import { runPhase } from './phase';

class CountingSink implements PacketSink {
  packets = 0;
  packet(): void { this.packets++; }
}

runPhase('read', async (file) => {
  const sink = new CountingSink();
  const info = await readCapture(file, sink);
  return { packets: sink.packets, bytes: info.bytesRead, error: info.error };
});
