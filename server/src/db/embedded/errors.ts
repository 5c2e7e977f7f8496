import type { Document } from 'bson';

/** MongoDB error codes this server can return (names as in MongoDB's error_codes.yml). */
export const ErrorCodes = {
  InternalError: 1,
  BadValue: 2,
  Unauthorized: 13,
  FailedToParse: 9,
  TypeMismatch: 14,
  AuthenticationFailed: 18,
  IllegalOperation: 20,
  NamespaceNotFound: 26,
  IndexNotFound: 27,
  ConflictingUpdateOperators: 40,
  CursorNotFound: 43,
  NamespaceExists: 48,
  DollarPrefixedFieldName: 52,
  CommandNotFound: 59,
  ImmutableField: 66,
  CannotCreateIndex: 67,
  InvalidNamespace: 73,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  InvalidOptions: 72,
  CommandNotSupported: 115,
  DocumentValidationFailure: 121,
  InvalidIndexSpecificationOption: 197,
  QueryFeatureNotAllowed: 224,
  NoQueryExecutionPlans: 291,
  BSONObjectTooLarge: 10334,
  DuplicateKey: 11000,
  // Assertion sites MongoDB reports as 'Location<code>'.
  Location17420: 17420,
  Location40573: 40573,
  Location40601: 40601,
  Location40324: 40324,
  Location40414: 40414,
  Location40415: 40415,
  Location51183: 51183,
  Location51132: 51132,
  Location13113: 13113,
} as const;

export type ErrorCodeName = keyof typeof ErrorCodes;

/** MongoDB's errors without a named code carry their source location as code (`Location31254`). */
export type LocationCodeName = `Location${number}`;

/** An error that is answered to the client as `{ ok: 0, errmsg, code, codeName, ...extra }`. */
export class MongoCommandError extends Error {
  readonly code: number;
  readonly codeName: string;
  readonly extra: Document;

  constructor(codeName: ErrorCodeName | LocationCodeName, errmsg: string, extra: Document = {}) {
    super(errmsg);
    this.name = 'MongoCommandError';
    this.code = codeName.startsWith('Location') ? Number(codeName.slice('Location'.length)) : ErrorCodes[codeName as ErrorCodeName];
    this.codeName = codeName;
    this.extra = extra;
  }

  /** Top-level command error reply. */
  toReply(): Document {
    return { ok: 0, errmsg: this.message, code: this.code, codeName: this.codeName, ...this.extra };
  }

  /** Entry of a write command's `writeErrors` array. */
  toWriteError(index: number): Document {
    return { index, code: this.code, errmsg: this.message, ...this.extra };
  }
}

/** Turns anything thrown while executing a command into a MongoDB-shaped error. */
export function toCommandError(err: unknown): MongoCommandError {
  if (err instanceof MongoCommandError) return err;
  const message = err instanceof Error ? err.message : String(err);
  // mingo throws plain Errors for invalid operators/expressions: MongoDB answers those as BadValue.
  return new MongoCommandError('BadValue', message);
}

export function badValue(msg: string): MongoCommandError {
  return new MongoCommandError('BadValue', msg);
}
