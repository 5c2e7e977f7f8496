import { z } from 'zod';
import { errorResponseSchema, type ErrorBody } from '../../../shared/errors.js';
import { personaSummarySchema, publicOpeningSchema, type PersonaSummary, type PublicOpening } from '../../../shared/opening.js';
import {
  qaDeliveriesResponseSchema,
  qaStatusSchema,
  sessionByClientWithVoiceSchema,
  voiceSessionResponseSchema,
  type QaStatus,
  type SessionByClientWithVoice,
  type SimulatedDelivery,
  type VoiceSessionRequest,
  type VoiceSessionResponse,
} from '../../../shared/voice.js';
import {
  createSessionResponseSchema,
  roleSummarySchema,
  type CreateSessionRequest,
  type CreateSessionResponse,
  type RoleSummary,
} from '../../../shared/protocol.js';

/**
 * REST calls of the candidate pages. Responses are parsed with the shared zod
 * schemas, errors with the shared error envelope, so a contract drift shows up
 * as a clear error rather than as undefined fields on screen.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super(body.message);
    this.name = 'ApiError';
  }

  get code(): string {
    return this.body.code;
  }
}

async function request<T>(schema: z.ZodType<T>, path: string, init: RequestInit = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers: { accept: 'application/json', ...init.headers } });
  } catch {
    throw new ApiError(0, { code: 'DEPENDENCY_DOWN', message: 'The server cannot be reached. Check your connection and retry.' });
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? (JSON.parse(text) as unknown) : null;
  } catch {
    // fall through: reported below
  }
  if (!res.ok) {
    const parsed = errorResponseSchema.safeParse(json);
    const retryAfter = Number(res.headers.get('retry-after'));
    const body: ErrorBody = parsed.success
      ? parsed.data.error
      : { code: res.status === 401 ? 'UNAUTHORIZED' : 'INTERNAL', message: `The server answered ${res.status}.` };
    if (body.retryAfterMs === undefined && Number.isFinite(retryAfter) && retryAfter > 0) body.retryAfterMs = retryAfter * 1000;
    throw new ApiError(res.status, body);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new ApiError(res.status, { code: 'INTERNAL', message: 'The server sent an unexpected answer.' });
  return parsed.data;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export function fetchRoles(): Promise<RoleSummary[]> {
  return request(z.array(roleSummarySchema), '/api/roles');
}

export function createSession(body: CreateSessionRequest): Promise<CreateSessionResponse> {
  return request(createSessionResponseSchema, '/api/sessions', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

export function fetchSessionByClient(clientSessionId: string, candidateToken: string): Promise<SessionByClientWithVoice> {
  return request(sessionByClientWithVoiceSchema, `/api/sessions/by-client/${encodeURIComponent(clientSessionId)}`, {
    headers: bearer(candidateToken),
    cache: 'no-store',
  });
}

/** Ends the interview over REST (idempotent); the socket twin is `interview:end`. */
export function endSession(clientSessionId: string, candidateToken: string, conversationId?: string): Promise<unknown> {
  return request(z.unknown(), `/api/sessions/${encodeURIComponent(clientSessionId)}/end`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(candidateToken) },
    body: JSON.stringify({ endedBy: 'user', ...(conversationId ? { conversationId } : {}) }),
  });
}

/**
 * Tab close: sendBeacon posts text/plain and cannot set headers, so the token
 * travels in the body (PROTOCOL.md). Returns whether the browser queued it.
 */
export function endSessionBeacon(clientSessionId: string, candidateToken: string, conversationId?: string): boolean {
  if (typeof navigator === 'undefined' || typeof navigator.sendBeacon !== 'function') return false;
  const body = JSON.stringify({ endedBy: 'disconnect', candidateToken, ...(conversationId ? { conversationId } : {}) });
  return navigator.sendBeacon(`/api/sessions/${encodeURIComponent(clientSessionId)}/end`, new Blob([body], { type: 'text/plain' }));
}

export async function recruiterFetch<T>(schema: z.ZodType<T>, path: string, token: string, init: RequestInit = {}): Promise<T> {
  return request(schema, path, { ...init, headers: { ...init.headers, ...bearer(token) } });
}

/** Human text for an error code. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return 'Something went wrong.';
}

/** POST /api/voice/session: the ElevenLabs credentials for this interview, or the simulator's. */
export function startVoiceSession(candidateToken: string, body: VoiceSessionRequest): Promise<VoiceSessionResponse> {
  return request(voiceSessionResponseSchema, '/api/voice/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(candidateToken) },
    body: JSON.stringify(body),
  });
}

/** GET /api/qa/status: whether the server runs the voice simulator (the QA console needs it). */
export function fetchQaStatus(): Promise<QaStatus> {
  return request(qaStatusSchema, '/api/qa/status', { cache: 'no-store' });
}


/** GET /api/qa/deliveries/:clientSessionId (candidate token): what each simulated webhook delivery got back, oldest first. */
export async function fetchQaDeliveries(clientSessionId: string, candidateToken: string): Promise<SimulatedDelivery[]> {
  const body = await request(qaDeliveriesResponseSchema, `/api/qa/deliveries/${encodeURIComponent(clientSessionId)}`, {
    headers: bearer(candidateToken),
    cache: 'no-store',
  });
  return body.deliveries;
}

/** GET /api/o/:slug (public): what the candidate sees of an opening. 404 unknown/rotated link, 410 archived. */
export function fetchPublicOpening(slug: string): Promise<PublicOpening> {
  return request(publicOpeningSchema, `/api/o/${encodeURIComponent(slug)}`, { cache: 'no-store' });
}

/** GET /api/personas (public): the interviewer personas an opening can use. */
export function fetchPersonas(): Promise<PersonaSummary[]> {
  return request(z.array(personaSummarySchema), '/api/personas');
}
