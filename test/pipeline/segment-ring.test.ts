// The ring between the decode worker and the engine's thread: every chunk arrives once and in
// order while the reader is the slower side, and a writer that finds the ring full waits for half
// of it to be handed back (one wake-up per half ring, not one per chunk).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { CHUNK_WORDS, CHUNKS, Chunk, SegmentRing } from '../../src/pipeline/segment-ring';

/** Writes `chunks` one-word chunks (word 0: the chunk's serial) the way RingWriter.publish does; posts how often it found the ring full. */
const WRITER = `
const { workerData, parentPort } = require('node:worker_threads');
const { SegmentRing, CHUNK_WORDS, CHUNKS } = require(workerData.module);
const EMPTY = ${Chunk.Empty};
const ring = new SegmentRing(workerData.sab);
let full = 0, chunk = 0;
for (let i = 0; i < workerData.chunks; i++) {
  ring.i32[chunk * CHUNK_WORDS] = i;
  ring.publish(chunk, 1);
  chunk = (chunk + 1) % CHUNKS;
  if (ring.state(chunk) !== EMPTY) full++;
  ring.waitEmpty(chunk);
  // Handed back means empty: the writer never overwrites a chunk the reader has not released.
  if (ring.state(chunk) !== EMPTY) throw new Error('chunk ' + chunk + ' still full after waitEmpty');
}
ring.publish(chunk, 0);
parentPort.postMessage(full);
`;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test('a slow reader gets every chunk once and in order, and the writer waits once per half ring', async () => {
  const ring = new SegmentRing(), total = 10 * CHUNKS;
  const worker = new Worker(WRITER, {
    eval: true, workerData: { sab: ring.sab, chunks: total, module: path.join(__dirname, '..', '..', 'src', 'pipeline', 'segment-ring.js') },
  });
  const fullCount = new Promise<number>((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject); });
  const seen: number[] = [];
  for (let chunk = 0; ; chunk = (chunk + 1) % CHUNKS) {
    while (ring.state(chunk) !== Chunk.Full) await ring.waitFull(chunk, 50);
    if (ring.count(chunk) === 0) break;
    seen.push(ring.i32[chunk * CHUNK_WORDS]);
    // Slower than the writer, so the ring fills.
    if (seen.length % 8 === 0) await sleep(1);
    ring.release(chunk);
  }
  const full = await fullCount;
  await worker.terminate();
  assert.deepEqual(seen, Array.from({ length: total }, (_, i) => i));
  // The ring filled (the first CHUNKS chunks go in without waiting), but the writer then waited
  // for half a ring at a time: about (total − CHUNKS) / (CHUNKS / 2) waits, where one wait per
  // chunk would be total − CHUNKS.
  assert.ok(full >= 2, `the writer never found the ring full (${full})`);
  assert.ok(full <= (total - CHUNKS) / (CHUNKS / 2) + 2, `the writer waited ${full} times for ${total} chunks`);
});
