import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io';
import type { z } from 'zod';
import { parseOrThrow, type AckError } from '../../../shared/errors.js';
import { toAppError } from '../appError.js';
import { runWithCorrelation } from '../observability/correlation.js';
import type { Logger } from '../observability/logger.js';

type AnySocket = Pick<Socket, 'on' | 'id'>;

/**
 * Registers one acked client event: the payload is validated with its zod
 * schema before anything else, the handler runs under its own correlation id,
 * and the ack is `{ok: true, ...}` or `{ok: false, error: {code, message}}`.
 * An event sent without an ack callback still runs; its result is dropped.
 */
export function onAckedEvent<S extends z.ZodType, R extends object>(
  socket: AnySocket,
  event: string,
  schema: S,
  logger: Logger,
  handler: (payload: z.infer<S>) => Promise<R>,
): void {
  socket.on(event, (...args: unknown[]) => {
    const last = args[args.length - 1];
    const ack = typeof last === 'function' ? (last as (response: R | AckError) => void) : undefined;
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
        ack?.({ ok: false, error: appError.toBody() });
      } finally {
        if (logger.isDebugEnabled()) logger.debug('socket event', { event, socketId: socket.id, ms: Date.now() - started });
      }
    });
  });
}

/** The Error socket.io turns into the client's `connect_error`, with `{code, message}` in `err.data`. */
export function connectError(code: string, message: string): Error & { data: { code: string; message: string } } {
  return Object.assign(new Error(message), { data: { code, message } });
}
