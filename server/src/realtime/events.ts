import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io';
import type { z } from 'zod';
import type { ClientEventSpec } from '../../../shared/contract.js';
import { parseOrThrow, type AckError } from '../../../shared/errors.js';
import { toAppError } from '../appError.js';
import { runWithCorrelation } from '../observability/correlation.js';
import type { Logger } from '../observability/logger.js';

type AnySocket = Pick<Socket, 'on' | 'id'>;

/** What a handler of catalogue event `K` receives and must resolve with. */
export type AckedHandler<E extends Record<string, ClientEventSpec>, K extends keyof E> = (payload: z.output<E[K]['payload']>) => Promise<z.output<E[K]['ack']>>;

/**
 * Binds a socket to a catalogue of client events (shared/events.ts, shared/monitor.ts):
 * `on('answer:submit', handler)` registers one acked event whose payload is validated
 * with the catalogue's schema before anything else, runs under its own correlation
 * id, and acks `{ok: true, ...}` (typed by the catalogue's ack) or
 * `{ok: false, error: {code, message}}`. An event sent without an ack callback
 * still runs; its result is dropped. Only catalogue events can be registered, so
 * /api/asyncapi.json lists every handler.
 */
export function ackedEvents<E extends Record<string, ClientEventSpec>>(socket: AnySocket, events: E, logger: Logger) {
  return function on<K extends keyof E & string>(event: K, handler: AckedHandler<E, K>): void {
    const schema: E[K]['payload'] = events[event]!.payload;
    (socket.on as (event: string, listener: (...args: unknown[]) => void) => void)(event, (...args: unknown[]) => {
      const last = args[args.length - 1];
      const ack = typeof last === 'function' ? (last as (response: unknown) => void) : undefined;
      const payload = args.length > (ack ? 1 : 0) ? args[0] : {};
      const started = Date.now();
      void runWithCorrelation(randomUUID(), async () => {
        try {
          const result = await handler(parseOrThrow(schema, payload ?? {}, event));
          ack?.(result);
        } catch (err) {
          const appError = toAppError(err);
          if (appError.status >= 500) logger.error('socket event failed', { event, socketId: socket.id, code: appError.code, err: appError.cause ?? appError });
          else logger.info('socket event refused', { event, socketId: socket.id, code: appError.code });
          const refusal: AckError = { ok: false, error: appError.toBody() };
          ack?.(refusal);
        } finally {
          if (logger.isDebugEnabled()) logger.debug('socket event', { event, socketId: socket.id, ms: Date.now() - started });
        }
      });
    });
  };
}

/** The Error socket.io turns into the client's `connect_error`, with `{code, message}` in `err.data`. */
export function connectError(code: string, message: string): Error & { data: { code: string; message: string } } {
  return Object.assign(new Error(message), { data: { code, message } });
}
