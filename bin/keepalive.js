#!/usr/bin/env -S node --max-semi-space-size=1 --heap-growing-percent=50
'use strict';
// V8 flags for a long streaming run whose live heap stays about 30 MB: a young generation capped
// at 1 MB per semi-space (by default it grows to 16 MB once a capture's first flows survive their
// first collections, and stays there), and an old generation allowed to grow only 50 % past what
// was live at the last full collection (by default garbage piles up to several times that, so
// peak RSS grew with the file: 105 MB on 1 GiB, 175 MB on 4 GiB). README "Benchmark" has the numbers.
require('../dist/src/cli/main.js').main(process.argv.slice(2));
