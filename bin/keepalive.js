#!/usr/bin/env -S node --max-semi-space-size=1 --heap-growing-percent=50
'use strict';
// V8 flags for a long streaming run whose live heap stays about 30 MB: a young generation capped
// at 1 MB per semi-space (by default it grows to 16 MB once a capture's first flows survive their
// first collections, and stays there), and an old generation allowed to grow only 50 % past what
// was live at the last full collection (by default garbage piles up to several times that, so
// peak RSS grew with the file: 105 MB on 1 GiB, 175 MB on 4 GiB). README "Benchmark" has the numbers.
const argv = process.argv.slice(2);
// Before the CLI's modules load: a large first capture starts being read and decoded on a worker
// thread now (src/pipeline/decode-worker-start.ts), so the worker's start overlaps their loading.
const first = require('../dist/src/cli/first-capture.js').firstCaptureArg(argv);
if (first !== null) require('../dist/src/pipeline/decode-worker-start.js').prestartDecodeWorker(first);
require('../dist/src/cli/main.js').main(argv);
