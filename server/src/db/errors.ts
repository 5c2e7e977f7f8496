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
  'MongoOperationTimeoutError',
  'MongoServerClosedError',
  'MongoClientClosedError',
]);

/**
 * The longest a repository call may take before its caller gets DEPENDENCY_DOWN.
 * Without it, a database that accepts connections but does not answer (a hung or
 * SIGSTOPped process, a network black hole) holds a request until the driver's
 * heartbeat notices (~15 s measured, server/test/hardening). The operation itself
 * may still land later; every write is idempotent by id, so a retry finds it.
 */
export const DB_OPERATION_DEADLINE_MS = 5_000;

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

/** Runs a database call, translating unreachable-database errors (and a missed deadline) for the caller. */
export async function dbCall<T>(fn: () => Promise<T>, deadlineMs = DB_OPERATION_DEADLINE_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const call = fn();
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new AppError('DEPENDENCY_DOWN', `Database did not answer within ${deadlineMs} ms`, { retryAfterMs: RETRY_AFTER_MS })),
      deadlineMs,
    );
  });
  try {
    return await Promise.race([call, deadline]);
  } catch (err) {
    throw toDbError(err);
  } finally {
    clearTimeout(timer);
    call.catch(() => undefined);
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
