import { z } from 'zod';

/**
 * Every error the server reports, REST or socket, carries one of these codes.
 * The HTTP status is part of the contract (PROTOCOL.md), so it lives here too.
 */
export const ERROR_STATUS = {
  VALIDATION: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  STATE_CONFLICT: 409,
  SESSION_ENDED: 409,
  CONVERSATION_CONFLICT: 409,
  /** The resource existed but is retired for good (an archived opening's link). */
  GONE: 410,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  DEPENDENCY_DOWN: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
export const errorCodeSchema = z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]);

export const errorDetailSchema = z.object({ path: z.string(), message: z.string() });
export type ErrorDetail = z.infer<typeof errorDetailSchema>;

export const errorBodySchema = z.object({
  code: errorCodeSchema,
  message: z.string(),
  details: z.array(errorDetailSchema).optional(),
  retryAfterMs: z.number().int().nonnegative().optional(),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** REST error envelope: `{ error: { code, message, details? } }`. */
export const errorResponseSchema = z.object({ error: errorBodySchema });

/** Socket ack for a failed event. */
export const ackErrorSchema = z.object({ ok: z.literal(false), error: errorBodySchema });
export type AckError = z.infer<typeof ackErrorSchema>;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetail[] | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(code: ErrorCode, message: string, opts: { details?: ErrorDetail[]; retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = opts.details;
    this.retryAfterMs = opts.retryAfterMs;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  toBody(): ErrorBody {
    const body: ErrorBody = { code: this.code, message: this.message };
    if (this.details) body.details = this.details;
    if (this.retryAfterMs !== undefined) body.retryAfterMs = this.retryAfterMs;
    return body;
  }
}

/** Turns zod issues into the `details` array of a VALIDATION error. */
export function validationError(error: z.ZodError, what = 'request'): AppError {
  const details = error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
  const first = details[0];
  const summary = first ? `${first.path}: ${first.message}` : 'invalid input';
  return new AppError('VALIDATION', `Invalid ${what}: ${summary}`, { details });
}

/** Parses `input` with `schema`, throwing a VALIDATION AppError with zod's messages. */
export function parseOrThrow<T extends z.ZodType>(schema: T, input: unknown, what?: string): z.infer<T> {
  const result = schema.safeParse(input);
  if (!result.success) throw validationError(result.error, what);
  return result.data;
}
