import { agentIdSchema, candidateIdSchema, clientSessionIdSchema, conversationIdSchema } from '../../../shared/ids.js';
import type { TranscriptLine, VoiceTranscript } from '../../../shared/interview.js';
import type { PostCallData } from '../../../shared/voice.js';

/**
 * One finished ElevenLabs conversation, whatever it came from (the post-call
 * webhook, or the conversations API through the reconciler): the facts linking
 * needs, validated, with the transcript in our shape. Values that are not valid
 * ids are dropped (they could never match a session anyway).
 */
export interface CallRecord {
  conversationId: string;
  agentId: string | undefined;
  userId: string | undefined;
  status: string | undefined;
  startedAt: Date | undefined;
  durationSecs: number | undefined;
  /** The `client_session_id` dynamic variable, when present and a UUID. */
  clientSessionId: string | undefined;
  /** Any other dynamic variable of interest (e.g. `role`). */
  role: string | undefined;
  lines: TranscriptLine[];
  summary: string | undefined;
}

const MAX_LINE = 20_000;

function validId(schema: typeof agentIdSchema, value: unknown): string | undefined {
  return typeof value === 'string' && schema.safeParse(value).success ? value : undefined;
}

/** The webhook's `data` (snake_case) as a CallRecord; null when it has no usable conversation id. */
export function callFromWebhookData(data: PostCallData): CallRecord | null {
  const conversationId = validId(conversationIdSchema, data.conversation_id);
  if (!conversationId) return null;
  const init = data.conversation_initiation_client_data ?? undefined;
  const vars = init?.dynamic_variables ?? {};
  const start = data.metadata?.start_time_unix_secs;
  return {
    conversationId,
    agentId: validId(agentIdSchema, data.agent_id),
    userId: validId(candidateIdSchema, data.user_id ?? init?.user_id),
    status: data.status ?? undefined,
    startedAt: typeof start === 'number' && Number.isFinite(start) ? new Date(start * 1000) : undefined,
    durationSecs: nonNegative(data.metadata?.call_duration_secs),
    clientSessionId: clientSessionIdSchema.safeParse(vars['client_session_id']).success ? (vars['client_session_id'] as string) : undefined,
    role: typeof vars['role'] === 'string' ? vars['role'] : undefined,
    lines: (data.transcript ?? []).flatMap((entry) => line(entry.role, entry.message, entry.time_in_call_secs)),
    summary: typeof data.analysis?.transcript_summary === 'string' ? data.analysis.transcript_summary.slice(0, 20_000) : undefined,
  };
}

export function line(role: string, message: unknown, time: unknown): TranscriptLine[] {
  if (typeof message !== 'string' || message.trim().length === 0) return [];
  if (role !== 'user' && role !== 'agent') return [];
  const out: TranscriptLine = { role, text: message.slice(0, MAX_LINE) };
  const t = nonNegative(time);
  if (t !== undefined) out.timeInCallSecs = t;
  return [out];
}

function nonNegative(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** The stored, authoritative transcript of a linked session. */
export function transcriptOf(call: CallRecord, receivedAt: Date): VoiceTranscript {
  const t: VoiceTranscript = { conversationId: call.conversationId, receivedAt, lines: call.lines.slice(0, 5000) };
  if (call.summary !== undefined) t.summary = call.summary;
  if (call.durationSecs !== undefined) t.durationSecs = call.durationSecs;
  return t;
}
