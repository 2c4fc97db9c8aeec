#!/usr/bin/env -S -u NODE_EXTRA_CA_CERTS node
'use strict';
// No node flags here: any V8 flag on the command line slows the decode worker's start
// (src/runtime/heap-limits.ts sets the heap limits at run time instead). NODE_EXTRA_CA_CERTS is
// dropped: node 20 parses that certificate file before running any script, and keepalive makes no
// TLS connection (both measured in bench/README.md).
const argv = process.argv.slice(2);
// Before the CLI's modules load: a large first capture starts being read and decoded on a worker
// thread now (src/runtime/decode-worker-start.ts), so the worker's start overlaps their loading;
// for --merge, on all its inputs (src/runtime/merge-start.ts).
const args = require('../dist/src/cli/first-capture.js');
const first = args.firstCaptureArg(argv);
if (first !== null) require('../dist/src/runtime/decode-worker-start.js').prestartDecodeWorker(first);
const merged = args.mergeCaptureArgs(argv);
if (merged !== null) require('../dist/src/runtime/merge-start.js').prestartMergeWorker(merged);
require('../dist/src/cli/main.js').main(argv);
