import type { z } from 'zod';
import type { AckError, ErrorCode } from './errors.js';

/**
 * The shapes of the API catalogue (docs/api.md): one entry per REST route
 * (shared/routes.ts) and per socket event (shared/events.ts, shared/monitor.ts,
 * gathered in shared/sockets.ts). The server mounts routes and registers
 * handlers FROM these entries, and the OpenAPI / AsyncAPI documents are
 * generated from the same entries, so the two cannot drift apart.
 */

/** Who may call a route or open a namespace. */
export type Party =
  /** Anyone, no credentials (candidate pages before they hold a token, public links). */
  | 'anyone'
  /** The candidate of THIS session: `Authorization: Bearer <candidateToken>`. */
  | 'candidate'
  /** A recruiter: `Authorization: Bearer <token>` (RECRUITER_TOKEN or a named recruiter's token). */
  | 'recruiter'
  /** A recruiter whose role is admin. */
  | 'admin'
  /** ElevenLabs' post-call webhook: `ElevenLabs-Signature` over the raw body. */
  | 'elevenlabs'
  /** The ElevenLabs agent calling Candor as its Custom LLM: `Authorization: Bearer <VOICE_LLM_KEY>`. */
  | 'voiceAgent'
  /** Operators and probes (load balancer, Prometheus); no credentials, not under /api. */
  | 'ops';

export const PARTY_DESCRIPTIONS: Record<Party, string> = {
  anyone: 'anyone (no credentials)',
  candidate: "the session's candidate (Authorization: Bearer <candidateToken>)",
  recruiter: 'a recruiter (Authorization: Bearer <recruiter token>)',
  admin: 'an admin recruiter (Authorization: Bearer <admin recruiter token>)',
  elevenlabs: 'ElevenLabs (ElevenLabs-Signature header, HMAC over the raw body)',
  voiceAgent: 'the ElevenLabs agent as Custom LLM client (Authorization: Bearer <VOICE_LLM_KEY>)',
  ops: 'operators and probes (no credentials)',
};

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A success answer in a given media type (Prometheus text, the HTML docs page, an export format). */
export interface RawBody {
  contentType: string;
  schema: z.ZodType;
}

/**
 * What a route answers on success: a zod schema (JSON), one body of another media type,
 * several media types (chosen by the request, e.g. `?format=`), or `null` (no content).
 */
export type RouteResponse = z.ZodType | RawBody | readonly RawBody[] | null;

export interface RouteOptions {
  /** One line: what the caller gets. */
  summary: string;
  /** Longer notes (idempotency, special content types); Markdown-free plain text. */
  description?: string;
  /** Status of the success answer (default 200); a list when it depends (201 created / 200 existing). */
  status?: number | readonly number[];
  /** Query string schema (validated by the handler with this same schema). */
  query?: z.ZodType;
  /** JSON request body. */
  body?: z.ZodType;
  /** The body may be left out (every field has a default): the document says `required: false`. */
  bodyOptional?: boolean;
  /** Content types the body is accepted in besides application/json (e.g. text/plain for sendBeacon). */
  bodyTypes?: readonly string[];
  /** Path parameters whose schema is not the default of PARAM_SCHEMAS (shared/routes.ts). */
  params?: Record<string, z.ZodType>;
  /** Request headers the route reads (besides Authorization). */
  headers?: Record<string, { schema: z.ZodType; description: string; required?: boolean }>;
  /** Error codes this route itself can answer; the party's and the mount's are added (docs/api.md). */
  errors?: readonly ErrorCode[];
  /** A non-error answer on an error status whose body is not the plain error envelope (GET /readyz 503). */
  errorBodies?: Partial<Record<number, z.ZodType>>;
}

export interface RouteSpec<M extends HttpMethod = HttpMethod, P extends string = string, R extends RouteResponse = RouteResponse>
  extends RouteOptions {
  method: M;
  path: P;
  auth: Party;
  response: R;
}

/** `route('GET', '/api/roles', 'anyone', z.array(roleSummarySchema), {summary})`: one catalogue line. */
export function route<const M extends HttpMethod, const P extends string, const R extends RouteResponse>(
  method: M,
  path: P,
  auth: Party,
  response: R,
  options: RouteOptions,
): RouteSpec<M, P, R> {
  return { method, path, auth, response, ...options };
}

type BodyOf<R> = R extends z.ZodType ? z.output<R> : R extends RawBody ? z.output<R['schema']> : R extends readonly RawBody[] ? z.output<R[number]['schema']> : never;

/** The body type a route's handler must send (`never` for a route without content). */
export type ResponseOf<S extends RouteSpec> = BodyOf<S['response']>;

// ---- sockets ------------------------------------------------------------------

/** A client -> server event: validated payload, acked with `ack` or `{ok: false, error}`. */
export interface ClientEventSpec<P extends z.ZodType = z.ZodType, A extends z.ZodType = z.ZodType> {
  payload: P;
  ack: A;
  summary: string;
  /** Codes the error ack can carry besides VALIDATION (bad payload) and INTERNAL. */
  errors: readonly ErrorCode[];
}

export function clientEvent<P extends z.ZodType, A extends z.ZodType>(payload: P, ack: A, summary: string, errors: readonly ErrorCode[] = []): ClientEventSpec<P, A> {
  return { payload, ack, summary, errors };
}

/** A server -> client event. */
export interface ServerEventSpec<P extends z.ZodType = z.ZodType> {
  payload: P;
  summary: string;
}

export function serverEvent<P extends z.ZodType>(payload: P, summary: string): ServerEventSpec<P> {
  return { payload, summary };
}

type AckFn<T> = (ack: T | AckError) => void;

/** socket.io's client -> server event map, typed from a catalogue of client events. */
export type ClientEventsOf<M extends Record<string, ClientEventSpec>> = {
  [K in keyof M]: (payload: z.input<M[K]['payload']>, ack: AckFn<z.output<M[K]['ack']>>) => void;
};

/** Event name -> payload, typed from a catalogue of server events. */
export type PayloadsOf<M extends Record<string, ServerEventSpec>> = { [K in keyof M]: z.output<M[K]['payload']> };

/** socket.io's server -> client event map, typed from a catalogue of server events. */
export type ServerEventsOf<M extends Record<string, ServerEventSpec>> = { [K in keyof M]: (payload: z.output<M[K]['payload']>) => void };

/** One socket.io namespace: who connects, with what handshake, and its events both ways. */
export interface NamespaceSpec {
  path: string;
  auth: Party;
  summary: string;
  /** `auth` object of the socket.io handshake. */
  handshake: z.ZodType;
  /** Codes a refused handshake's `connect_error` carries in `err.data.code`. */
  connectErrors: readonly ErrorCode[];
  clientEvents: Record<string, ClientEventSpec>;
  serverEvents: Record<string, ServerEventSpec>;
  /** Events of another party that get a FORBIDDEN ack here instead of silence. */
  refusedEvents?: readonly string[];
}
