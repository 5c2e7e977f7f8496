import { AppError } from '../../shared/errors.js';

/** Every failure leaves the server as an AppError; anything unexpected becomes INTERNAL and leaks nothing. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  return new AppError('INTERNAL', 'Internal server error', { cause: err });
}
