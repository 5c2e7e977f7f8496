import type { Namespace, Socket } from 'socket.io';
import type { z } from 'zod';
import { AppError } from '../../../shared/errors.js';
import { monitorClientSchemas } from '../../../shared/monitor.js';
import { BOOTSTRAP_RECRUITER_ID, type ActingRecruiter } from '../../../shared/recruiters.js';
import type { Repository } from '../db/repository/index.js';
import type { Logger } from '../observability/logger.js';
import type { RecruiterAuth } from '../recruiters/auth.js';
import { onAckedEvent } from './events.js';
import { recruiterRoom } from './rooms.js';

/** What every /monitor socket carries once its handshake passed. */
export interface MonitorSocketData {
  recruiter: ActingRecruiter;
}

type RecruiterSocket = Pick<Socket, 'on' | 'id' | 'disconnect'> & { data: MonitorSocketData };

/**
 * A /monitor event with the acting recruiter: the payload is zod-validated
 * (onAckedEvent), then the recruiter is checked again against the store (a
 * token revoked since the handshake is refused — UNAUTHORIZED — and its socket
 * closed), then `handler(payload, recruiter)` runs. Every /monitor event goes
 * through here, so a revocation holds from the next event.
 */
export function onRecruiterEvent<S extends z.ZodType, R extends object>(
  socket: RecruiterSocket,
  event: string,
  schema: S,
  deps: { auth: RecruiterAuth; logger: Logger },
  handler: (payload: z.infer<S>, recruiter: ActingRecruiter) => Promise<R>,
): void {
  onAckedEvent(socket, event, schema, deps.logger, async (payload) => {
    const recruiter = socket.data.recruiter;
    if (!(await deps.auth.isActive(recruiter))) {
      // After the ack is on its way.
      setImmediate(() => socket.disconnect(true));
      throw new AppError('UNAUTHORIZED', 'This recruiter token was revoked');
    }
    return handler(payload, recruiter);
  });
}

const RECRUITER_EVENTS: ReadonlySet<string> = new Set(Object.keys(monitorClientSchemas));

/**
 * On a candidate's /interview socket, a recruiter event (any /monitor client event:
 * notes, watching, and whatever the monitor gains later) is answered FORBIDDEN
 * instead of silence, like a candidate token on a recruiter route.
 */
export function refuseRecruiterEvents(socket: Pick<Socket, 'on'>): void {
  for (const event of RECRUITER_EVENTS) {
    socket.on(event, (...args: unknown[]) => {
      const ack = args[args.length - 1];
      if (typeof ack === 'function') ack({ ok: false, error: new AppError('FORBIDDEN', 'A candidate cannot send recruiter events').toBody() });
    });
  }
}

/** Disconnects every /monitor socket of `recruiterId`; with the Redis adapter, on every node. */
export function disconnectRecruiter(nsp: Namespace, recruiterId: string): void {
  nsp.in(recruiterRoom(recruiterId)).disconnectSockets(true);
}

/**
 * The safety net under disconnectRecruiter: a node that missed the cross-node
 * broadcast (Redis down at that moment) finds its own sockets of revoked
 * recruiters on this periodic check (RECRUITER_RECHECK_MS) and closes them.
 * One query per tick, for the distinct named recruiters connected here.
 */
export class RevokedSocketSweep {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: { nsp: Namespace; repo: Pick<Repository, 'findRevokedRecruiterIds'>; logger: Logger; intervalMs: number },
  ) {}

  start(): void {
    if (this.deps.intervalMs <= 0 || this.timer) return;
    this.timer = setInterval(() => void this.runOnce(), this.deps.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Returns how many local sockets were closed. */
  async runOnce(): Promise<number> {
    const sockets = [...this.deps.nsp.sockets.values()] as Array<Socket & { data: Partial<MonitorSocketData> }>;
    const ids = [...new Set(sockets.map((s) => s.data.recruiter?.id).filter((id): id is string => id !== undefined && id !== BOOTSTRAP_RECRUITER_ID))];
    if (ids.length === 0) return 0;
    try {
      const revoked = new Set(await this.deps.repo.findRevokedRecruiterIds(ids));
      let closed = 0;
      for (const socket of sockets) {
        if (socket.data.recruiter && revoked.has(socket.data.recruiter.id)) {
          socket.disconnect(true);
          closed++;
        }
      }
      if (closed > 0) this.deps.logger.info('closed sockets of revoked recruiters', { closed });
      return closed;
    } catch (err) {
      this.deps.logger.warn('revoked-recruiter check failed; retrying next tick', { err });
      return 0;
    }
  }
}
