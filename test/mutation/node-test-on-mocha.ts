// Loaded by Stryker's mocha runner (stryker.config.json) before the unit tests: it answers their
// `import { test } from 'node:test'` with mocha's `it`, so that the tests run inside one long-lived
// process per worker and each mutant costs milliseconds instead of a Node start per test file.
// Only what the mutation tests use is provided: test(name, fn) with fn returning a promise or not.
import Module = require('node:module');

declare const it: (name: string, fn: () => unknown) => { timeout(ms: number): void };

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
const mod = Module as unknown as { _load: Load };
const load = mod._load;
const nodeTest = {
  // No mocha timeout: Stryker times each mutant itself (a mutant may loop forever).
  test(name: string, fn: () => unknown): void { it(name, () => fn()).timeout(0); },
};
mod._load = function (request: string, parent: unknown, isMain: boolean): unknown {
  return request === 'node:test' ? nodeTest : load.call(this, request, parent, isMain);
};
