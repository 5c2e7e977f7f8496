import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError } from '../../../../shared/errors.js';
import { toAppError as toAppErrorBase } from '../../appError.js';
import type { Logger } from '../../observability/logger.js';

/** Unknown API paths answer the PROTOCOL.md error shape, not express's HTML page. */
export const apiNotFound: RequestHandler = (req, _res, next) => {
  next(new AppError('NOT_FOUND', `No route for ${req.method} ${req.baseUrl}${req.path}`));
};

/** Maps every error to `{ error: { code, message, details? } }` with the contract's status. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const appError = toAppError(err);
    if (appError.status >= 500) logger.error('request failed', { code: appError.code, err: appError.cause ?? appError });
    if (appError.retryAfterMs !== undefined) res.setHeader('Retry-After', String(Math.max(1, Math.ceil(appError.retryAfterMs / 1000))));
    res.status(appError.status).json({ error: appError.toBody() });
  };
}

/** body-parser errors carry `type` and `status`; everything unknown is a 500 that leaks nothing. */
function toAppError(err: unknown): AppError {
  const type = typeof err === 'object' && err !== null ? (err as { type?: unknown }).type : undefined;
  if (type === 'entity.too.large') return new AppError('PAYLOAD_TOO_LARGE', 'Request body is too large');
  if (type === 'entity.parse.failed') return new AppError('VALIDATION', 'Request body is not valid JSON');
  // The router's decodeURIComponent of a path parameter (e.g. %ED%A0%80, not UTF-8) throws a URIError with status 400.
  if (err instanceof URIError || (typeof err === 'object' && err !== null && (err as { status?: unknown }).status === 400 && !(err instanceof AppError))) {
    return new AppError('VALIDATION', 'The request URL is malformed');
  }
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return new AppError('VALIDATION', 'Request body encoding is not supported');
  }
  return toAppErrorBase(err);
}
