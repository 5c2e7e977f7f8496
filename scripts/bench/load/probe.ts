/**
 * Preloaded into a benchmarked server child (`node --import tsx --import probe.ts`): stamps
 * every `question:token` broadcast with the server's emit time and answers memory/CPU
 * queries over IPC. Instrumentation only; Candor's code is not changed.
 *
 * Clock: `process.hrtime.bigint()` is CLOCK_MONOTONIC, one clock for every process on the
 * machine, so a client in another process can subtract the stamp from its own receipt time.
 * The stamp (`t`, µs) is set on the payload object right before socket.io encodes it, at the
 * FIRST emit of that token: the broadcaster emits the same object to /interview then /monitor
 * (both packets carry the time the server started sending the token), and a token relayed by
 * another node (realtime/sessionChannel.ts carries the payload, stamp included) keeps the
 * stamp of the node that produced it, so a watcher's latency includes the hop through Redis.
 * The baseline is stamped the same way.
 */
import { Server } from 'socket.io';

export function nowMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

interface Emitter {
  emit(event: string, ...args: unknown[]): boolean;
}

const proto = Object.getPrototypeOf(new Server().to('probe')) as Emitter;
const original = proto.emit;
proto.emit = function stamped(this: Emitter, event: string, ...args: unknown[]): boolean {
  if (event === 'question:token') {
    const payload = args[0];
    if (payload && typeof payload === 'object' && (payload as { t?: number }).t === undefined) (payload as { t?: number }).t = nowMicros();
  }
  return original.call(this, event, ...args);
};

export interface ProbeReply {
  id: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  cpuMicros: number;
}

process.on('message', (msg: unknown) => {
  const m = msg as { type?: string; id?: number; gc?: boolean };
  if (m.type !== 'probe') return;
  const gc = (globalThis as { gc?: () => void }).gc;
  if (m.gc && gc) {
    gc();
    gc();
  }
  const mem = process.memoryUsage();
  const cpu = process.cpuUsage();
  const reply: ProbeReply = { id: m.id ?? 0, rss: mem.rss, heapUsed: mem.heapUsed, heapTotal: mem.heapTotal, external: mem.external, arrayBuffers: mem.arrayBuffers, cpuMicros: cpu.user + cpu.system };
  process.send?.(reply);
});
// The IPC channel must not keep a server alive after its parent is gone.
process.channel?.unref();
