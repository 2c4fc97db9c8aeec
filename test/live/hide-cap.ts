// Preloaded with `node -r` by live.test.ts: makes `require('cap')` fail the way it does on a
// machine where the optional addon never built, without touching node_modules.
import Module from 'node:module';

type Resolve = (request: string, ...rest: unknown[]) => string;
const mod = Module as unknown as { _resolveFilename: Resolve };
const original = mod._resolveFilename;
mod._resolveFilename = function resolveWithoutCap(this: unknown, request: string, ...rest: unknown[]): string {
  if (request === 'cap') throw Object.assign(new Error("Cannot find module 'cap'"), { code: 'MODULE_NOT_FOUND' });
  return original.call(this, request, ...rest);
};
