// A flood of pcapng interface blocks: each kind of warning is one line with its count, and the
// link-type bookkeeping stays linear in the number of blocks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ngBlock, pcapngFile } from '../support/capture-files';
import { readBytes } from './read-helpers';

/** Interface blocks over this many link types; each carries an option that runs past its block. */
const LINK_TYPES = 65_536;
const BLOCKS = 262_144;

function idbWithBadOption(linkType: number): Buffer {
  const body = Buffer.alloc(12);
  body.writeUInt16LE(linkType, 0);
  body.writeUInt32LE(262144, 4);
  body.writeUInt16LE(2, 8); // if_name
  body.writeUInt16LE(200, 10); // 200 bytes, but the block ends after this header
  return ngBlock(1, body, true);
}

test('pcapng: 262,144 interface blocks with a bad option give one counted warning, every link type once', async () => {
  const shb = pcapngFile([{ blocks: [] }]);
  const one = idbWithBadOption(0);
  const file = Buffer.alloc(shb.length + BLOCKS * one.length);
  shb.copy(file, 0);
  for (let i = 0; i < BLOCKS; i++) {
    const b = idbWithBadOption(i % LINK_TYPES);
    b.copy(file, shb.length + i * one.length);
  }
  const started = process.hrtime.bigint();
  const { info } = await readBytes(file);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  assert.equal(info.error, null);
  assert.equal(info.packets, 0);
  const optionWarnings = info.warnings.filter((w) => w.includes('runs past the block'));
  assert.equal(optionWarnings.length, 1, info.warnings.slice(0, 3).join('\n'));
  assert.match(optionWarnings[0], new RegExp(`\\(${BLOCKS} times in all\\)$`));
  assert.match(optionWarnings[0], new RegExp(`at byte ${shb.length}:`)); // the first block's offset
  assert.equal(info.linkTypes.length, LINK_TYPES);
  assert.deepEqual(info.linkTypes.slice(0, 3), [0, 1, 2]);
  // Linear work reads these 7 MB in well under a second; a scan of the link types seen so far per
  // block took 4 × 65,536 × 32,768 comparisons. The bound is loose for a loaded machine.
  console.log(`# ${BLOCKS} interface blocks read in ${seconds.toFixed(2)} s`);
  assert.ok(seconds < 20, `${seconds} s`);
});
