import { z } from 'zod';
import { route, type RouteSpec } from './contract.js';
import { clientSessionIdSchema, objectIdHexSchema } from './ids.js';
import {
  linkRequestSchema,
  linkResponseSchema,
  listSessionsQuerySchema,
  sessionDetailSchema,
  sessionListResponseSchema,
} from './monitor.js';
import {
  createOpeningRequestSchema,
  listOpeningsQuerySchema,
  openingListResponseSchema,
  openingSlugSchema,
  openingViewSchema,
  personaSummarySchema,
  publicOpeningSchema,
  updateOpeningRequestSchema,
} from './opening.js';
import { healthResponseSchema, readinessResponseSchema } from './ops.js';
import {
  answerAckSchema,
  createSessionRequestSchema,
  createSessionResponseSchema,
  endSessionRequestSchema,
  roleSummarySchema,
  statusAckSchema,
  submitAnswerSchema,
} from './protocol.js';
import { candidateExportSchema, EXPORT_JSON_SCHEMA_PATH, exportQuerySchema, recruiterExportSchema, sessionsCsvQuerySchema } from './export.js';
import { addNoteRequestSchema, editNoteRequestSchema, noteAddedResponseSchema, noteEditedResponseSchema, noteIdSchema } from './notes.js';
import { createRecruiterRequestSchema, createRecruiterResponseSchema, meResponseSchema, recruiterListResponseSchema, recruiterViewSchema } from './recruiters.js';
import { statsQuerySchema, statsResponseSchema } from './stats.js';
import {
  createWebhookEndpointRequestSchema,
  listWebhookDeliveriesQuerySchema,
  listWebhookEndpointsQuerySchema,
  rotateWebhookSecretRequestSchema,
  updateWebhookEndpointRequestSchema,
  webhookDeliveryListResponseSchema,
  webhookDeliveryViewSchema,
  webhookEndpointListResponseSchema,
  webhookEndpointViewSchema,
  webhookEndpointWithSecretSchema,
} from './webhooksOut.js';
import {
  customLlmRequestSchema,
  qaDeliveriesResponseSchema,
  qaStatusSchema,
  sessionByClientWithVoiceSchema,
  voiceSessionRequestSchema,
  voiceSessionResponseSchema,
  webhookAckSchema,
  webhookEnvelopeSchema,
} from './voice.js';

/**
 * THE REST catalogue (docs/api.md): every route the server mounts, one entry
 * each. The server mounts a route only through its entry (server/src/http/route.ts:
 * method, path and the party's guard come from here, the handler's answer is
 * typed by `response`), and /api/openapi.json is generated from these entries.
 * A test fails when a mounted route has no entry or an entry is not mounted.
 *
 * Adding a route = one line here + `on(ROUTES.yourRoute, handler)` in its router.
 * Errors listed are the route's own; the party's (401/403), the mount's (origin
 * 403, rate limit 429, body 400/413) and 500 are added by the generator.
 */

/** Path parameters by name, unless an entry says otherwise (`params`). */
export const PARAM_SCHEMAS: Record<string, z.ZodType> = {
  id: objectIdHexSchema,
  clientSessionId: clientSessionIdSchema,
  slug: openingSlugSchema,
};

/** What /api/openapi.json and /api/asyncapi.json answer: documents validated by their own specifications. */
const openApiDocumentSchema = z.looseObject({ openapi: z.string(), paths: z.record(z.string(), z.unknown()) });
const asyncApiDocumentSchema = z.looseObject({ asyncapi: z.string(), channels: z.record(z.string(), z.unknown()) });

const DB = 'DEPENDENCY_DOWN' as const;

/** A JSON Schema document (what /api/schemas/... answers). */
const jsonSchemaDocumentSchema = z.looseObject({ $schema: z.string(), $id: z.string() });

/** The three answers of an export route, by `?format=`. */
function exportFormats<S extends z.ZodType>(json: S) {
  return [
    { contentType: 'application/json', schema: json },
    { contentType: 'text/markdown', schema: z.string() },
    { contentType: 'application/pdf', schema: z.string() },
  ] as const;
}

export const ROUTES = {
  // ---- ops (outside /api) ----------------------------------------------------------------
  health: route('GET', '/healthz', 'ops', healthResponseSchema, { summary: 'Liveness: the process answers' }),
  readiness: route('GET', '/readyz', 'ops', readinessResponseSchema, { summary: 'Readiness: the database (and Redis when configured) answer', errors: [DB], errorBodies: { 503: readinessResponseSchema } }),
  metrics: route('GET', '/metrics', 'ops', { contentType: 'text/plain', schema: z.string() }, { summary: 'Prometheus metrics (text exposition format)' }),

  // ---- ElevenLabs (outside /api, raw body) -----------------------------------------------
  elevenLabsWebhook: route('POST', '/webhooks/elevenlabs', 'elevenlabs', webhookAckSchema, {
    summary: 'Post-call webhook: verified, stored, then linked to its session (200 once stored, duplicates too)',
    description: 'The signature covers the exact bytes, so the body is read raw (any content type). Stale or bad signatures: 401, nothing stored. Types other than post_call_transcription are stored and ignored.',
    body: webhookEnvelopeSchema,
    headers: { 'ElevenLabs-Signature': { schema: z.string(), description: 't=<unix seconds>,v0=<HMAC-SHA256 hex of "<t>.<raw body>">', required: true } },
    errors: [DB],
  }),

  voiceLlm: route('POST', '/llm/v1/chat/completions', 'voiceAgent', { contentType: 'text/event-stream', schema: z.string().describe('SSE: "data: <chat.completion.chunk JSON>" events (shared/voice.ts chatCompletionChunkSchema), then "data: [DONE]"') }, {
    summary: "The ElevenLabs agent's Custom LLM: one voice turn of the question cycle, streamed as Chat Completions chunks",
    description:
      'OpenAI Chat Completions shape (stream: true): each SSE event is "data: <chat.completion.chunk>", the stream ends with "data: [DONE]". The session comes from elevenlabs_extra_body.client_session_id, else from the rendered system prompt line "Candor session: <clientSessionId>". The last user message is the answer (stored once per conversation and turn); the next question streams here and to the sockets. A request naming no open voice session gets a spoken refusal (200) and stores nothing. 404 when VOICE_LLM_KEY is unset. The path prefix is VOICE_LLM_PATH (default /llm/v1).',
    body: customLlmRequestSchema,
    errors: ['NOT_FOUND', DB],
  }),

  // ---- candidate -------------------------------------------------------------------------
  roles: route('GET', '/api/roles', 'anyone', z.array(roleSummarySchema), { summary: 'The roles the interviewer can interview for' }),
  createSession: route('POST', '/api/sessions', 'anyone', createSessionResponseSchema, { summary: 'Create a session (idempotent by clientSessionId): returns the candidate token', status: [201, 200], body: createSessionRequestSchema, errors: ['NOT_FOUND', 'GONE', DB] }),
  sessionByClient: route('GET', '/api/sessions/by-client/:clientSessionId', 'candidate', sessionByClientWithVoiceSchema, { summary: 'Status, transcript, evaluation and voice state: what the results page polls', errors: ['NOT_FOUND', DB] }),
  submitAnswer: route('POST', '/api/sessions/:clientSessionId/messages', 'candidate', answerAckSchema, { summary: 'The REST twin of answer:submit: acked after the answer is stored; the question streams on the socket', body: submitAnswerSchema, errors: ['STATE_CONFLICT', 'SESSION_ENDED', 'RATE_LIMITED', 'NOT_FOUND', DB] }),
  endSession: route('POST', '/api/sessions/:clientSessionId/end', 'candidate', statusAckSchema, { summary: 'End the interview (idempotent)', description: 'Also accepts the JSON as text/plain with candidateToken in the body, because navigator.sendBeacon cannot set headers.', body: endSessionRequestSchema, bodyTypes: ['text/plain'], errors: ['STATE_CONFLICT', 'NOT_FOUND', DB] }),
  voiceSession: route('POST', '/api/voice/session', 'candidate', voiceSessionResponseSchema, { summary: 'Start a voice interview: signed URL or conversation token and dynamic variables (or the simulator)', description: 'The candidate token must open the clientSessionId of the body.', body: voiceSessionRequestSchema, errors: ['NOT_FOUND', 'STATE_CONFLICT', 'SESSION_ENDED', DB] }),
  qaStatus: route('GET', '/api/qa/status', 'anyone', qaStatusSchema, { summary: 'Whether the voice simulator runs (the QA console needs it)' }),
  qaDeliveries: route('GET', '/api/qa/deliveries/:clientSessionId', 'candidate', qaDeliveriesResponseSchema, { summary: "What each of the simulator's webhook deliveries for this session got back, oldest first" }),
  publicOpening: route('GET', '/api/o/:slug', 'anyone', publicOpeningSchema, { summary: 'What a candidate link shows before the interview starts', errors: ['NOT_FOUND', 'GONE', DB] }),
  personas: route('GET', '/api/personas', 'anyone', z.array(personaSummarySchema), { summary: 'The interviewer personas an opening can use' }),

  // ---- recruiter -------------------------------------------------------------------------
  listSessions: route('GET', '/api/sessions', 'recruiter', sessionListResponseSchema, { summary: 'Sessions, newest first, paginated (cursor)', query: listSessionsQuerySchema, errors: [DB] }),
  sessionDetail: route('GET', '/api/sessions/:id', 'recruiter', sessionDetailSchema, { summary: 'One interview: transcript, plan, link info, evaluation, focus signals', errors: ['NOT_FOUND', DB] }),
  linkConversation: route('POST', '/api/sessions/:id/link', 'recruiter', linkResponseSchema, { summary: 'Merge an orphaned voice conversation into this voice session by hand', body: linkRequestSchema, errors: ['NOT_FOUND', 'STATE_CONFLICT', DB] }),
  createOpening: route('POST', '/api/openings', 'recruiter', openingViewSchema, { summary: 'Create an opening with a shareable link', status: 201, body: createOpeningRequestSchema, errors: [DB] }),
  listOpenings: route('GET', '/api/openings', 'recruiter', openingListResponseSchema, { summary: 'Openings, newest first, paginated (cursor)', query: listOpeningsQuerySchema, errors: [DB] }),
  getOpening: route('GET', '/api/openings/:id', 'recruiter', openingViewSchema, { summary: 'One opening', errors: ['NOT_FOUND', DB] }),
  updateOpening: route('PATCH', '/api/openings/:id', 'recruiter', openingViewSchema, { summary: 'Edit an opening; loses with 409 when its version moved', body: updateOpeningRequestSchema, errors: ['NOT_FOUND', 'STATE_CONFLICT', DB] }),
  archiveOpening: route('POST', '/api/openings/:id/archive', 'recruiter', openingViewSchema, { summary: 'Archive an opening: its link stops accepting candidates (410)', errors: ['NOT_FOUND', 'STATE_CONFLICT', DB] }),
  rotateOpeningSlug: route('POST', '/api/openings/:id/rotate-slug', 'recruiter', openingViewSchema, { summary: 'Replace the link of an opening (the old one answers 404)', errors: ['NOT_FOUND', 'STATE_CONFLICT', DB] }),
  stats: route('GET', '/api/stats', 'recruiter', statsResponseSchema, { summary: 'Dashboard numbers by aggregation', query: statsQuerySchema, errors: [DB] }),
  eraseSession: route('DELETE', '/api/sessions/:id', 'admin', null, { summary: 'Erase an interview everywhere it is stored: 204, then 404', status: 204, errors: ['NOT_FOUND', 'STATE_CONFLICT', DB] }),

  // ---- named recruiters and private notes (docs/security.md "Recruiters") --------------------
  me: route('GET', '/api/recruiters/me', 'recruiter', meResponseSchema, { summary: 'Who this token is: id, name, role' }),
  listRecruiters: route('GET', '/api/recruiters', 'admin', recruiterListResponseSchema, { summary: 'Every named recruiter (never their tokens)', errors: [DB] }),
  createRecruiter: route('POST', '/api/recruiters', 'admin', createRecruiterResponseSchema, { summary: 'Create a named recruiter; the token is in this response only', status: 201, body: createRecruiterRequestSchema, errors: [DB] }),
  revokeRecruiter: route('DELETE', '/api/recruiters/:id', 'admin', recruiterViewSchema, { summary: "Revoke a recruiter's token (next request; live /monitor sockets are closed)", errors: ['NOT_FOUND', DB] }),
  addNote: route('POST', '/api/sessions/:id/notes', 'recruiter', noteAddedResponseSchema, { summary: 'A private note on the session or one transcript line (idempotent by noteId: 201 new, 200 existing)', status: [201, 200], body: addNoteRequestSchema, errors: ['NOT_FOUND', 'STATE_CONFLICT', DB] }),
  editNote: route('PATCH', '/api/sessions/:id/notes/:noteId', 'recruiter', noteEditedResponseSchema, { summary: "Edit one's own note", body: editNoteRequestSchema, params: { noteId: noteIdSchema }, errors: ['NOT_FOUND', 'FORBIDDEN', 'STATE_CONFLICT', DB] }),

  // ---- outgoing webhooks (docs/webhooks-out.md), admin only ---------------------------------
  createWebhookEndpoint: route('POST', '/api/webhook-endpoints', 'admin', webhookEndpointWithSecretSchema, {
    summary: 'Register an endpoint for outgoing webhooks; its signing secret is in this response only',
    description: 'The URL must resolve to a public address (SSRF guard): a private, loopback or link-local target is refused with 400 VALIDATION.',
    status: 201,
    body: createWebhookEndpointRequestSchema,
    errors: [DB],
  }),
  listWebhookEndpoints: route('GET', '/api/webhook-endpoints', 'admin', webhookEndpointListResponseSchema, { summary: 'Webhook endpoints, newest first, paginated (cursor); never their secrets', query: listWebhookEndpointsQuerySchema, errors: [DB] }),
  getWebhookEndpoint: route('GET', '/api/webhook-endpoints/:id', 'admin', webhookEndpointViewSchema, { summary: 'One webhook endpoint (without its secret)', errors: ['NOT_FOUND', DB] }),
  updateWebhookEndpoint: route('PATCH', '/api/webhook-endpoints/:id', 'admin', webhookEndpointViewSchema, {
    summary: 'Change the URL, events, opening filter or enabled flag (enabling clears a disable caused by 410)',
    body: updateWebhookEndpointRequestSchema,
    errors: ['NOT_FOUND', DB],
  }),
  deleteWebhookEndpoint: route('DELETE', '/api/webhook-endpoints/:id', 'admin', null, { summary: 'Delete an endpoint and its delivery log: 204, then 404', status: 204, errors: ['NOT_FOUND', DB] }),
  rotateWebhookSecret: route('POST', '/api/webhook-endpoints/:id/rotate-secret', 'admin', webhookEndpointWithSecretSchema, {
    summary: 'A new signing secret (in this response only); the previous one keeps signing for graceMs',
    description: 'Without graceMs (or without a body) the grace period is WEBHOOK_SECRET_GRACE_MS. During the grace period every delivery carries both signatures.',
    body: rotateWebhookSecretRequestSchema,
    bodyOptional: true,
    errors: ['NOT_FOUND', DB],
  }),
  listWebhookDeliveries: route('GET', '/api/webhook-endpoints/:id/deliveries', 'admin', webhookDeliveryListResponseSchema, { summary: "The endpoint's delivery log, newest first, with every attempt (never the payload)", query: listWebhookDeliveriesQuerySchema, errors: ['NOT_FOUND', DB] }),
  replayWebhookDelivery: route('POST', '/api/webhook-endpoints/:id/deliveries/:deliveryId/replay', 'admin', webhookDeliveryViewSchema, {
    summary: 'Send a delivery again (same webhook-id, fresh retry horizon); accepted, sent by the dispatcher',
    status: 202,
    params: { deliveryId: objectIdHexSchema },
    errors: ['NOT_FOUND', 'STATE_CONFLICT', DB],
  }),

  // ---- exports (docs/exports.md) -----------------------------------------------------------
  exportSchema: route('GET', EXPORT_JSON_SCHEMA_PATH, 'anyone', { contentType: 'application/schema+json', schema: jsonSchemaDocumentSchema }, { summary: 'The JSON Schema every JSON export validates against' }),
  sessionsCsv: route('GET', '/api/sessions.csv', 'recruiter', { contentType: 'text/csv', schema: z.string() }, { summary: "The session list (the list's filters) as CSV, streamed", query: sessionsCsvQuerySchema, errors: [DB] }),
  recruiterExport: route('GET', '/api/sessions/:id/export', 'recruiter', exportFormats(recruiterExportSchema), { summary: 'One interview as JSON, Markdown or PDF (format=json|md|pdf)', query: exportQuerySchema, errors: ['NOT_FOUND', DB] }),
  candidateExport: route('GET', '/api/sessions/by-client/:clientSessionId/export', 'candidate', exportFormats(candidateExportSchema), { summary: "The candidate's own transcript and feedback as JSON, Markdown or PDF", query: exportQuerySchema, errors: ['NOT_FOUND', DB] }),

  // ---- the contract itself ---------------------------------------------------------------
  openApi: route('GET', '/api/openapi.json', 'anyone', openApiDocumentSchema, { summary: 'This REST API as an OpenAPI 3.1 document' }),
  asyncApi: route('GET', '/api/asyncapi.json', 'anyone', asyncApiDocumentSchema, { summary: 'The socket.io namespaces /interview and /monitor as an AsyncAPI 3 document' }),
  docsPage: route('GET', '/docs', 'anyone', { contentType: 'text/html', schema: z.string() }, { summary: 'Both documents as a readable page' }),
} satisfies Record<string, RouteSpec>;

export type RouteName = keyof typeof ROUTES;
