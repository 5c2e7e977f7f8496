import { seededRandom } from './random.js';

/** The error an aborted call rejects with: named AbortError, `cause` = `signal.reason` (Node's convention). */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const error = new Error('The operation was aborted', { cause: reason });
  error.name = 'AbortError';
  return error;
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal);
}

/** setTimeout that rejects (and clears its timer) the moment `signal` aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface PacingOptions {
  /** Mean delay before each token after the first; 0 = no timers at all. */
  delayMs: number;
  /** Relative jitter, 0..1 (0.3 = ±30 %). */
  jitter: number;
  /** Seeds the jitter so a replayed question paces identically. */
  seed: string;
  signal?: AbortSignal;
}

/**
 * Yields the tokens with human-like pacing: a jittered delay between tokens and
 * a longer pause after a sentence ends. Checks the signal before every token.
 */
export async function* paceTokens(tokens: readonly string[], options: PacingOptions): AsyncGenerator<string, void, undefined> {
  const { delayMs, jitter, signal } = options;
  const random = seededRandom(options.seed);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (i > 0 && delayMs > 0) {
      const sentenceEnd = /[.?!:]\s*$/.test(tokens[i - 1]!);
      const wobble = 1 + jitter * (random() * 2 - 1);
      await sleep(Math.max(1, Math.round(delayMs * wobble * (sentenceEnd ? 2.5 : 1))), signal);
    }
    throwIfAborted(signal);
    yield token;
  }
}
