import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  IsolatedCircuitError,
  circuitBreaker,
  handleWhen,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import { LlmError } from '../port.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Consecutive failed calls that open the circuit. Default 5. */
  threshold?: number;
  /** How long it stays open before one probe call is let through. Default 15 s. */
  halfOpenAfterMs?: number;
}

/**
 * Only outages count: retryable LlmErrors (unreachable, 429/5xx after the SDK's
 * retries, timeouts, cut streams). Aborts, bad model output and 4xx request
 * errors are not the provider being down.
 */
export function isOutage(error: unknown): boolean {
  return error instanceof LlmError && error.retryable && error.code !== 'LLM_BAD_OUTPUT';
}

export interface Breaker {
  /** Run one model call; fails fast with LLM_UNAVAILABLE while open. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * For a stream, whose outcome is known only after the consumer finished:
   * resolves once the breaker admits the call, with a lease to settle later.
   */
  admit(): Promise<Lease>;
  state(): BreakerState;
  onStateChange(listener: (state: BreakerState) => void): void;
}

export interface Lease {
  succeed(): void;
  /** Counts as a breaker failure only if isOutage(error). */
  fail(error: unknown): void;
}

export function createBreaker(options: BreakerOptions = {}): Breaker {
  const policy: CircuitBreakerPolicy = circuitBreaker(handleWhen(isOutage), {
    halfOpenAfter: options.halfOpenAfterMs ?? 15_000,
    breaker: new ConsecutiveBreaker(options.threshold ?? 5),
  });

  const run = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await policy.execute(fn);
    } catch (error) {
      throw fromCircuitError(error);
    }
  };

  return {
    run,
    admit: () =>
      new Promise<Lease>((resolve, reject) => {
        // The breaker's execute() spans the whole stream: it settles when the lease does.
        let settle!: { ok: () => void; fail: (e: unknown) => void };
        const outcome = new Promise<void>((ok, fail) => {
          settle = { ok, fail };
        });
        const lease: Lease = { succeed: () => settle.ok(), fail: (e) => settle.fail(e) };
        run(() => {
          resolve(lease);
          return outcome;
        }).catch((error: unknown) => {
          // Rejects the admission if fn never ran (open circuit); otherwise a no-op.
          reject(error);
        });
      }),
    state: () => toState(policy.state),
    onStateChange: (listener) => {
      policy.onStateChange((s) => listener(toState(s)));
    },
  };
}

function fromCircuitError(error: unknown): unknown {
  if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
    return new LlmError('LLM_UNAVAILABLE', 'the model API is failing; circuit open, not calling it', true, { cause: error });
  }
  return error;
}

function toState(state: CircuitState): BreakerState {
  switch (state) {
    case CircuitState.Closed:
      return 'closed';
    case CircuitState.HalfOpen:
      return 'half-open';
    default:
      return 'open';
  }
}
