// Types for the untyped npm package pcap-parser 0.2.x (only what the adapter uses).
declare module 'pcap-parser' {
  import type { EventEmitter } from 'node:events';

  export interface PcapGlobalHeader {
    magicNumber: number; majorVersion: number; minorVersion: number; gmtOffset: number;
    timestampAccuracy: number; snapshotLength: number; linkLayerType: number;
  }
  export interface PcapPacketHeader {
    timestampSeconds: number; timestampMicroseconds: number; capturedLength: number; originalLength: number;
  }
  export interface PcapPacket { header: PcapPacketHeader; data: Buffer }

  /** What parse() needs from a stream: it pauses, subscribes to data/error/end, then resumes. */
  export interface InputStream {
    pause(): unknown;
    resume(): unknown;
    on(event: string, listener: (...args: unknown[]) => void): unknown;
  }

  export interface Parser extends EventEmitter {
    on(event: 'globalHeader', listener: (h: PcapGlobalHeader) => void): this;
    on(event: 'packet', listener: (p: PcapPacket) => void): this;
    on(event: 'error', listener: (e: Error) => void): this;
    on(event: 'end', listener: () => void): this;
  }

  export function parse(input: string | InputStream): Parser;
}
