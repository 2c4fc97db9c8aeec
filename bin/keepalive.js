#!/usr/bin/env -S node --max-semi-space-size=1
'use strict';
// The flag caps V8's young generation at 1 MB per semi-space (default up to 16): a capture's first
// tens of thousands of flows all survive their first collections, which makes V8 grow the young
// generation to its maximum and keep it (README "Benchmark": the measured difference).
require('../dist/src/cli/main.js').main(process.argv.slice(2));
