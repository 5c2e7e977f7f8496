import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError } from '../../../shared/errors.js';

/**
 * At most one accepted answer per session per interval (ANSWER_MIN_INTERVAL_MS).
 * A point is taken before the answer is stored and given back when the submit
 * stored nothing (a duplicate, a conflict), so retries are never penalised.
 * The limiter is injectable: the Redis-backed one keeps the limit across replicas.
 */
export class AnswerRateLimit {
  private readonly limiter: RateLimiterAbstract | null;

  constructor(minIntervalMs: number, limiter?: RateLimiterAbstract) {
    this.limiter =
      minIntervalMs <= 0 ? null : (limiter ?? new RateLimiterMemory({ keyPrefix: 'answer', points: 1, duration: minIntervalMs / 1000 }));
  }

  /** Throws RATE_LIMITED with retryAfterMs when the session answered too recently. */
  async take(clientSessionId: string): Promise<void> {
    if (!this.limiter) return;
    try {
      await this.limiter.consume(clientSessionId, 1);
    } catch (err) {
      if (err instanceof RateLimiterRes) {
        throw new AppError('RATE_LIMITED', 'Answers are coming too fast; wait a moment and send again', {
          retryAfterMs: Math.max(1, Math.ceil(err.msBeforeNext)),
        });
      }
      throw err;
    }
  }

  async giveBack(clientSessionId: string): Promise<void> {
    if (!this.limiter) return;
    await this.limiter.reward(clientSessionId, 1).catch(() => undefined);
  }
}
