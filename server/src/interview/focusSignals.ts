import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError, parseOrThrow } from '../../../shared/errors.js';
import { candidateFocusSchema, candidatePasteSchema, type FocusAck } from '../../../shared/events.js';
import type { FocusSignal } from '../../../shared/interview.js';
import type { WatcherEventMap, WatcherEventName, WireFocusSignal } from '../../../shared/monitor.js';
import type { Repository } from '../db/repository/index.js';
import type { Logger } from '../observability/logger.js';

/** Sends an event to a session's watchers only (never to the candidate's room). */
export interface WatcherBroadcaster {
  emitToWatchers<E extends WatcherEventName>(clientSessionId: string, event: E, payload: WatcherEventMap[E]): void;
}

/** At most this many signals per session per window are stored; more are refused with RATE_LIMITED. */
export const FOCUS_RATE = { points: 30, durationSecs: 10 } as const;

/** A page clock further than this from ours is not believed (kept out of `clientAt`). */
const CLIENT_CLOCK_SLACK_MS = 24 * 60 * 60 * 1000;

/**
 * Live focus signals (docs/openings.md): validated, rate-limited per session on
 * this node, stored with ONE capped `$push` while the interview is open, then
 * streamed to watchers as `focus:signal`. The document cannot grow past
 * FOCUS_SIGNALS_MAX whatever the rate limit lets through.
 */
export class FocusSignals {
  private readonly limiter = new RateLimiterMemory({ keyPrefix: 'focus', points: FOCUS_RATE.points, duration: FOCUS_RATE.durationSecs });

  constructor(
    private readonly deps: { repo: Pick<Repository, 'pushFocusSignals'>; broadcaster: WatcherBroadcaster; logger: Logger; now: () => Date },
  ) {}

  focus(clientSessionId: string, raw: unknown): Promise<FocusAck> {
    const input = parseOrThrow(candidateFocusSchema, raw, 'candidate:focus');
    return this.record(clientSessionId, { kind: 'focus', state: input.state, ...this.times(input.at) });
  }

  paste(clientSessionId: string, raw: unknown): Promise<FocusAck> {
    const input = parseOrThrow(candidatePasteSchema, raw, 'candidate:paste');
    return this.record(clientSessionId, { kind: 'paste', length: input.length, ...this.times(input.at) });
  }

  private times(clientAt: string): { at: Date; clientAt?: Date } {
    const at = this.deps.now();
    const claimed = new Date(clientAt);
    const believable = Math.abs(claimed.getTime() - at.getTime()) <= CLIENT_CLOCK_SLACK_MS;
    return believable ? { at, clientAt: claimed } : { at };
  }

  private async record(clientSessionId: string, signal: FocusSignal): Promise<FocusAck> {
    try {
      await this.limiter.consume(clientSessionId);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      throw new AppError('RATE_LIMITED', 'Too many focus signals; slow down', { retryAfterMs: err.msBeforeNext });
    }
    const { stored } = await this.deps.repo.pushFocusSignals(clientSessionId, [signal]);
    if (stored) this.deps.broadcaster.emitToWatchers(clientSessionId, 'focus:signal', toWireFocusSignal(signal));
    this.deps.logger.debug('focus signal', { clientSessionId, kind: signal.kind, stored });
    return { ok: true, stored };
  }
}

export function toWireFocusSignal(signal: FocusSignal): WireFocusSignal {
  const clientAt = signal.clientAt ? { clientAt: signal.clientAt.toISOString() } : {};
  return signal.kind === 'focus'
    ? { kind: 'focus', state: signal.state, at: signal.at.toISOString(), ...clientAt }
    : { kind: 'paste', length: signal.length, at: signal.at.toISOString(), ...clientAt };
}
