import { createHmac } from 'node:crypto';
import type { TranscriptLine } from '../../../shared/interview.js';
import { POST_CALL_TRANSCRIPTION } from '../../../shared/voice.js';

/**
 * Builds and signs real-shaped post-call webhooks (fixtures/elevenlabs-post-call.json):
 * used by the simulator, the QA scripts and the tests, so all of them send
 * exactly what the server verifies.
 */
export interface PostCallSpec {
  conversationId: string;
  agentId: string;
  userId?: string;
  /** The `client_session_id` dynamic variable; omitted with `omitDynamicVariables`. */
  clientSessionId?: string;
  role?: string;
  omitDynamicVariables?: boolean;
  startedAt: Date;
  durationSecs: number;
  lines: TranscriptLine[];
  summary?: string;
  eventTimestamp?: number;
  type?: string;
}

export function buildPostCallPayload(spec: PostCallSpec): Record<string, unknown> {
  const dynamicVariables: Record<string, unknown> = {
    system__conversation_id: spec.conversationId,
    system__agent_id: spec.agentId,
  };
  if (spec.clientSessionId) dynamicVariables['client_session_id'] = spec.clientSessionId;
  if (spec.role) dynamicVariables['role'] = spec.role;
  const init: Record<string, unknown> = {};
  if (spec.userId) init['user_id'] = spec.userId;
  if (!spec.omitDynamicVariables) init['dynamic_variables'] = dynamicVariables;
  const data: Record<string, unknown> = {
    agent_id: spec.agentId,
    conversation_id: spec.conversationId,
    status: 'done',
    transcript: spec.lines.map((l, i) => ({
      role: l.role,
      message: l.text,
      time_in_call_secs: l.timeInCallSecs ?? i * 5,
      interrupted: false,
    })),
    metadata: {
      start_time_unix_secs: Math.floor(spec.startedAt.getTime() / 1000),
      call_duration_secs: Math.max(0, Math.round(spec.durationSecs)),
      termination_reason: 'Client disconnected',
      main_language: 'en',
    },
    analysis: {
      call_successful: 'success',
      transcript_summary: spec.summary ?? 'Simulated interview.',
      evaluation_criteria_results: {},
      data_collection_results: {},
    },
    conversation_initiation_client_data: init,
  };
  if (spec.userId) data['user_id'] = spec.userId;
  return {
    type: spec.type ?? POST_CALL_TRANSCRIPTION,
    event_timestamp: spec.eventTimestamp ?? Math.floor(Date.now() / 1000),
    data,
  };
}

/** `ElevenLabs-Signature: t=<unix s>,v0=<hex HMAC-SHA256(secret, "t.body")>`. */
export function signWebhook(rawBody: string, secret: string, timestampSecs: number = Math.floor(Date.now() / 1000)): string {
  const digest = createHmac('sha256', secret).update(`${timestampSecs}.${rawBody}`).digest('hex');
  return `t=${timestampSecs},v0=${digest}`;
}

export interface DeliveryResult {
  status: number;
  body: string;
}

/** POSTs a signed body to `${target}/webhooks/elevenlabs`. */
export async function deliverWebhook(
  target: string,
  rawBody: string,
  signature: string | null,
  opts: { signal?: AbortSignal } = {},
): Promise<DeliveryResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (signature !== null) headers['elevenlabs-signature'] = signature;
  const res = await fetch(`${target.replace(/\/$/, '')}/webhooks/elevenlabs`, {
    method: 'POST',
    headers,
    body: rawBody,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  return { status: res.status, body: await res.text() };
}
