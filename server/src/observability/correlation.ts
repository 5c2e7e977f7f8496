import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** The id that ties together every log line of one HTTP request or socket event. */
const storage = new AsyncLocalStorage<{ correlationId: string }>();

const ACCEPTED_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Reuses a caller's id (e.g. X-Request-Id from a proxy) when it is safe to log, else makes one. */
export function correlationIdFrom(candidate: unknown): string {
  return typeof candidate === 'string' && ACCEPTED_ID.test(candidate) ? candidate : randomUUID();
}

export function runWithCorrelation<T>(correlationId: string, fn: () => T): T {
  return storage.run({ correlationId }, fn);
}

export function currentCorrelationId(): string | undefined {
  return storage.getStore()?.correlationId;
}
