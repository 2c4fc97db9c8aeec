// Loaded by Stryker's mocha runner (stryker.config.json) before the unit tests: it answers their
// `import { test } from 'node:test'` with mocha's `it`, so that the tests run inside one long-lived
// process per worker and each mutant costs milliseconds instead of a Node start per test file.
// Only what the mutation tests use is provided: test(name, fn) with fn returning a promise or not,
// and the context's skip() (a test that needs tshark skips without it, as under node --test).
import Module = require('node:module');

declare const it: (name: string, fn: (this: { skip(): void }) => unknown) => { timeout(ms: number): void };

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
const mod = Module as unknown as { _load: Load };
const load = mod._load;
const nodeTest = {
  // No mocha timeout: Stryker times each mutant itself (a mutant may loop forever).
  test(name: string, fn: (t: { skip(message?: string): void }) => unknown): void {
    it(name, function () {
      let skipped = false;
      const result = fn({ skip: () => { skipped = true; } });
      // mocha's skip() throws to end the test: only once the test's own code has returned.
      if (result instanceof Promise) return result.then(() => { if (skipped) this.skip(); });
      if (skipped) this.skip();
      return result;
    }).timeout(0);
  },
};
mod._load = function (request: string, parent: unknown, isMain: boolean): unknown {
  return request === 'node:test' ? nodeTest : load.call(this, request, parent, isMain);
};
