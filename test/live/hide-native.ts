// Preloaded with `node -r`: makes loading our libpcap addon (native/build/Release/*.node) fail the
// way it does on a machine where it never built, without touching native/build.
const realDlopen = process.dlopen;
process.dlopen = function dlopenWithoutAddon(module: { exports: unknown }, filename: string, ...rest: unknown[]): void {
  if (filename.endsWith('keepalive_pcap.node')) {
    throw Object.assign(new Error(`Cannot find module '${filename}'`), { code: 'MODULE_NOT_FOUND' });
  }
  return (realDlopen as (...a: unknown[]) => void).call(process, module, filename, ...rest);
} as typeof process.dlopen;
