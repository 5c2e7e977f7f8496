import { AppError } from '../../../shared/errors.js';

/** Driver error names that mean "the database is not reachable right now". */
const UNREACHABLE = new Set([
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
]);

const RETRY_AFTER_MS = 2_000;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export function isUnreachableError(err: unknown): boolean {
  if (!isObject(err)) return false;
  if (typeof err['name'] === 'string' && UNREACHABLE.has(err['name'])) return true;
  // Mongoose with bufferCommands off, before the connection is open.
  return err instanceof Error && /Cannot call `.+` before initial connection/.test(err.message);
}

/** Maps "database unreachable" to DEPENDENCY_DOWN; everything else is returned unchanged. */
export function toDbError(err: unknown): unknown {
  if (err instanceof AppError) return err;
  if (isUnreachableError(err)) {
    return new AppError('DEPENDENCY_DOWN', 'Database unavailable', { retryAfterMs: RETRY_AFTER_MS, cause: err });
  }
  return err;
}

/** Runs a database call, translating unreachable-database errors for the caller. */
export async function dbCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toDbError(err);
  }
}

/**
 * When `err` is a duplicate-key error (E11000), the name of the violated index
 * (or its key pattern fields joined by ','), else undefined.
 */
export function duplicateKeyIndex(err: unknown): string | undefined {
  if (!isObject(err) || err['code'] !== 11000) return undefined;
  const pattern = err['keyPattern'];
  if (isObject(pattern)) {
    const keys = Object.keys(pattern);
    if (keys.length > 0) return keys.join(',');
  }
  const message = typeof err['errmsg'] === 'string' ? err['errmsg'] : err instanceof Error ? err.message : '';
  const match = /index: (\S+)/.exec(message);
  return match?.[1] ?? '';
}

/** True when `err` is E11000 on an index over `field` (matched by key pattern or index name). */
export function isDuplicateKeyOn(err: unknown, field: string): boolean {
  const index = duplicateKeyIndex(err);
  if (index === undefined) return false;
  // '' = the server did not say which index; the caller's single unique index is the only candidate.
  return index === '' || index === field || index.split(',').includes(field) || index.startsWith(`${field}_`);
}
