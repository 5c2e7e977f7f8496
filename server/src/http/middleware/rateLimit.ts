import type { RequestHandler } from 'express';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Redis } from 'ioredis';
import { AppError } from '../../../../shared/errors.js';

export interface HttpRateLimitOptions {
  /** Requests per client IP per window; 0 switches the limit off. */
  points: number;
  windowMs: number;
  /** Shared across replicas when set; an in-memory insurance limiter takes over while Redis is down. */
  redis?: Redis;
  redisPrefix?: string;
}

/** A limiter for REST requests per client IP (rate-limiter-flexible), or undefined when off. */
export function httpRateLimiter(opts: HttpRateLimitOptions): RateLimiterAbstract | undefined {
  if (opts.points <= 0) return undefined;
  const duration = Math.max(1, Math.round(opts.windowMs / 1000));
  const memory = new RateLimiterMemory({ keyPrefix: 'http-local', points: opts.points, duration });
  if (!opts.redis) return memory;
  return new RateLimiterRedis({
    storeClient: opts.redis,
    keyPrefix: `${opts.redisPrefix ?? 'candor'}:http`,
    points: opts.points,
    duration,
    insuranceLimiter: memory,
  });
}

/**
 * 429 RATE_LIMITED with Retry-After once an IP used its points. `req.ip` is the
 * socket's peer, or with TRUST_PROXY the address the (one) trusted proxy saw.
 * A limiter failure that is not a verdict lets the request through: an outage
 * of the limiter's store must not take the API down with it.
 */
export function rateLimitMiddleware(limiter: RateLimiterAbstract): RequestHandler {
  return (req, _res, next) => {
    limiter.consume(req.ip ?? 'unknown').then(
      () => next(),
      (rejection: unknown) => {
        if (rejection instanceof RateLimiterRes) {
          next(new AppError('RATE_LIMITED', 'Too many requests from this address; retry later', { retryAfterMs: Math.max(1_000, rejection.msBeforeNext) }));
        } else next();
      },
    );
  };
}
