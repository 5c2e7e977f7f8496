import { z } from 'zod';
import { agentIdSchema, candidateIdSchema, clientSessionIdSchema, conversationIdSchema, messageIdSchema } from './ids.js';
import { INTERVIEWER_TEXT_MAX, interviewStatusSchema, linkedBySchema } from './interview.js';
import { sessionByClientResponseSchema } from './protocol.js';

/**
 * Voice interviews (PROTOCOL.md "voice events", "ElevenLabs post-call webhook"):
 * the REST start, the `/interview` voice socket payloads, the post-call webhook
 * as ElevenLabs sends it (snake_case; unknown fields are kept and ignored), the
 * simulator's controls and the voice block of the results endpoint.
 * docs/voice.md describes the lifecycle.
 */

// ---- simulator controls ----------------------------------------------------

/**
 * Only honoured when the server runs the voice simulator (no ELEVENLABS_API_KEY);
 * with a real ElevenLabs agent they are ignored.
 */
export const simulatorControlsSchema = z.strictObject({
  /** The server does not record the simulated conversation id at start and does not return it. */
  omitConversationId: z.boolean().optional(),
  /** The simulated webhook carries no `dynamic_variables` (no client_session_id). */
  omitDynamicVariables: z.boolean().optional(),
  /** Delay of the simulated webhook after the end (default SIMULATED_WEBHOOK_DELAY_MS). */
  webhookDelayMs: z.number().int().min(0).max(600_000).optional(),
  /** 'off': this session gets no simulated webhook (a QA tool sends its own). Default from SIMULATED_WEBHOOK. */
  webhook: z.enum(['on', 'off']).optional(),
  /** Deliver the (identical, correctly signed) webhook this many times: redeliveries must change nothing. */
  duplicates: z.number().int().min(1).max(5).optional(),
  /** First deliver a copy signed 31 minutes ago (must be refused with 401, nothing stored), then the valid one. */
  staleFirst: z.boolean().optional(),
});
export type SimulatorControls = z.infer<typeof simulatorControlsSchema>;

// ---- REST: POST /api/voice/session -----------------------------------------

export const voiceTransportSchema = z.enum(['websocket', 'webrtc']);
export type VoiceTransport = z.infer<typeof voiceTransportSchema>;

export const voiceSessionRequestSchema = z.strictObject({
  clientSessionId: clientSessionIdSchema,
  /** websocket (default) -> `signedUrl`; webrtc -> `conversationToken`. */
  transport: voiceTransportSchema.optional(),
  simulate: simulatorControlsSchema.optional(),
});
export type VoiceSessionRequest = z.infer<typeof voiceSessionRequestSchema>;

/** What the browser passes to the ElevenLabs SDK as `dynamicVariables`. */
export const voiceDynamicVariablesSchema = z.looseObject({
  client_session_id: clientSessionIdSchema,
  role: z.string().optional(),
});
export type VoiceDynamicVariables = z.infer<typeof voiceDynamicVariablesSchema>;

/** Without the Custom LLM: what the page passes as `overrides` (agent prompt, first message, language) and ASR `keywords`. */
export const voiceAgentOverridesSchema = z.object({
  prompt: z.string().max(8000),
  firstMessage: z.string().max(2000),
  /** ElevenLabs language code. */
  language: z.string().max(16),
  /** The job's skills, boosted in speech recognition. */
  keywords: z.array(z.string().max(100)).max(50),
});
export type VoiceAgentOverrides = z.infer<typeof voiceAgentOverridesSchema>;

export const voiceSessionResponseSchema = z.object({
  /** WebSocket transport: pass to `Conversation.startSession({signedUrl})`. */
  signedUrl: z.string().optional(),
  /** WebRTC transport: pass to `Conversation.startSession({conversationToken})`. */
  conversationToken: z.string().optional(),
  /** Known before the browser connects (recorded on the session already); absent when unknown. */
  conversationId: conversationIdSchema.optional(),
  agentId: agentIdSchema,
  /** ElevenLabs `user_id`: the session's candidateId (or its clientSessionId when it has none). */
  userId: candidateIdSchema,
  dynamicVariables: voiceDynamicVariablesSchema,
  /** True: no ElevenLabs; the server plays the agent (docs/voice.md "Simulator"). */
  simulated: z.boolean(),
  /** VOICE_LLM_KEY set (Candor is the agent's Custom LLM): pass as `customLlmExtraBody`. */
  customLlmExtraBody: z.object({ client_session_id: clientSessionIdSchema }).optional(),
  /** No Custom LLM: pass as the conversation's `overrides` and ASR keywords (real ElevenLabs only). */
  agentOverrides: voiceAgentOverridesSchema.optional(),
  /** Simulator only: the controls in effect for this session. */
  simulation: z
    .object({
      webhook: z.enum(['on', 'off']),
      webhookDelayMs: z.number().int().min(0),
      omitConversationId: z.boolean(),
      omitDynamicVariables: z.boolean(),
      duplicates: z.number().int().min(1),
      staleFirst: z.boolean(),
    })
    .optional(),
});
export type VoiceSessionResponse = z.infer<typeof voiceSessionResponseSchema>;

// ---- socket payloads (client -> server on /interview) -----------------------

export const voiceStartedSchema = z.strictObject({ agentId: agentIdSchema.optional() });
export type VoiceStarted = z.infer<typeof voiceStartedSchema>;

export const voiceConversationIdSchema = z.strictObject({ conversationId: conversationIdSchema });
export type VoiceConversationIdPayload = z.infer<typeof voiceConversationIdSchema>;

/** One live line from the browser SDK's onMessage; idempotent by messageId (build it from event_id). */
export const voiceTranscriptPayloadSchema = z.strictObject({
  messageId: messageIdSchema,
  role: z.enum(['user', 'agent']),
  text: z
    .string()
    .max(INTERVIEWER_TEXT_MAX)
    .refine((t) => t.trim().length > 0, 'must not be empty'),
});
export type VoiceTranscriptPayload = z.infer<typeof voiceTranscriptPayloadSchema>;

/** `agent`: the agent hung up (the SDK's onDisconnect reason 'agent'); stored as endedBy 'server'. */
export const voiceEndedSchema = z.strictObject({
  endedBy: z.enum(['user', 'disconnect', 'agent']),
  conversationId: conversationIdSchema.optional(),
});
export type VoiceEndedPayload = z.infer<typeof voiceEndedSchema>;

export const voiceConversationAckSchema = z.object({
  ok: z.literal(true),
  conversationId: conversationIdSchema,
  /** True when this report merged an orphaned webhook transcript into the session. */
  merged: z.boolean(),
  status: interviewStatusSchema,
});
export type VoiceConversationAck = z.infer<typeof voiceConversationAckSchema>;

// ---- ElevenLabs post-call webhook (as sent: snake_case, loose) ---------------

/** The answer to a verified webhook: stored (or a duplicate of a stored one). */
export const webhookAckSchema = z.object({ received: z.literal(true), duplicate: z.boolean() });
export type WebhookAck = z.infer<typeof webhookAckSchema>;

export const POST_CALL_TRANSCRIPTION = 'post_call_transcription';

/** Any verified webhook: only `type` is required; everything else is kept as sent. */
export const webhookEnvelopeSchema = z.looseObject({
  type: z.string().min(1).max(100),
  event_timestamp: z.number().optional(),
  data: z.unknown().optional(),
});
export type WebhookEnvelope = z.infer<typeof webhookEnvelopeSchema>;

const nullish = <T extends z.ZodType>(schema: T) => schema.nullable().optional();

export const webhookTranscriptEntrySchema = z.looseObject({
  role: z.string(),
  message: nullish(z.string()),
  time_in_call_secs: nullish(z.number()),
  interrupted: nullish(z.boolean()),
});

export const postCallDataSchema = z.looseObject({
  agent_id: nullish(z.string()),
  conversation_id: z.string().min(1),
  status: nullish(z.string()),
  user_id: nullish(z.string()),
  transcript: nullish(z.array(webhookTranscriptEntrySchema).max(5000)),
  metadata: nullish(
    z.looseObject({
      start_time_unix_secs: nullish(z.number()),
      call_duration_secs: nullish(z.number()),
      termination_reason: nullish(z.string()),
    }),
  ),
  analysis: nullish(z.looseObject({ transcript_summary: nullish(z.string()) })),
  conversation_initiation_client_data: nullish(
    z.looseObject({
      user_id: nullish(z.string()),
      dynamic_variables: nullish(z.record(z.string(), z.unknown())),
    }),
  ),
});
export type PostCallData = z.infer<typeof postCallDataSchema>;

export const postCallTranscriptionSchema = z.looseObject({
  type: z.literal(POST_CALL_TRANSCRIPTION),
  event_timestamp: z.number().optional(),
  data: postCallDataSchema,
});
export type PostCallTranscription = z.infer<typeof postCallTranscriptionSchema>;

// ---- results: the voice block of GET /api/sessions/by-client/:id -------------

/**
 * What the results page shows for a voice interview:
 * - `in_progress`: the call is running (status created/active/paused)
 * - `awaiting_transcript`: ended, the post-call webhook has not arrived yet (show a spinner until `expectedBy`)
 * - `linked`: the webhook transcript is linked; evaluation follows
 * - `transcript_missing`: nothing arrived and the reconciler could not find it; live lines are all there is
 * - `orphaned`: this record is a webhook nobody claimed yet (recruiter view)
 */
export const voiceResultStateSchema = z.enum(['in_progress', 'awaiting_transcript', 'linked', 'transcript_missing', 'orphaned']);
export type VoiceResultState = z.infer<typeof voiceResultStateSchema>;

export const voiceResultSchema = z.object({
  state: voiceResultStateSchema,
  linkedBy: linkedBySchema.nullable(),
  agentId: z.string().nullable(),
  userId: z.string().nullable(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  /** awaiting_transcript: when the reconciler gives up waiting for the webhook (ISO). */
  expectedBy: z.string().nullable(),
  /** Lines of the authoritative (webhook) transcript, 0 until linked. */
  transcriptLines: z.number().int().min(0),
});
export type VoiceResult = z.infer<typeof voiceResultSchema>;

/** GET /api/sessions/by-client/:id with the voice block (null for text interviews). */
export const sessionByClientWithVoiceSchema = sessionByClientResponseSchema.extend({
  voice: voiceResultSchema.nullable().optional(),
});
export type SessionByClientWithVoice = z.infer<typeof sessionByClientWithVoiceSchema>;

// ---- QA (simulator only) ----------------------------------------------------

/** One delivery of a simulated webhook, as the server's own webhook route answered it. */
export const simulatedDeliverySchema = z.object({
  kind: z.enum(['valid', 'duplicate', 'stale']),
  status: z.number().int(),
  at: z.string(),
});
export type SimulatedDelivery = z.infer<typeof simulatedDeliverySchema>;

/** GET /api/qa/deliveries/:clientSessionId — what each simulated webhook delivery got back, oldest first. */
export const qaDeliveriesResponseSchema = z.object({ deliveries: z.array(simulatedDeliverySchema) });
export type QaDeliveriesResponse = z.infer<typeof qaDeliveriesResponseSchema>;

/** GET /api/qa/status — whether the QA console can drive the simulator. */
export const qaStatusSchema = z.object({ simulator: z.boolean() });
export type QaStatus = z.infer<typeof qaStatusSchema>;

// ---- Custom LLM endpoint (POST <VOICE_LLM_PATH>/chat/completions) -----------

/** One message of the platform's Chat Completions request: text as a string or as text parts. */
export const chatMessageSchema = z
  .object({
    role: z.string().max(32),
    content: z
      .union([z.string(), z.array(z.object({ type: z.string().max(32), text: z.string().optional() }).loose()), z.null()])
      .optional(),
  })
  .loose();
export type ChatMessage = z.infer<typeof chatMessageSchema>;

/**
 * What the ElevenLabs agent sends its Custom LLM (OpenAI Chat Completions shape). Fields we do not
 * use (tools, temperature, ...) are accepted and ignored. `elevenlabs_extra_body` is what the page
 * passed as `customLlmExtraBody` (when "Custom LLM extra body" is on for the agent).
 */
export const customLlmRequestSchema = z
  .object({
    messages: z.array(chatMessageSchema).min(1).max(1000),
    stream: z.boolean().optional(),
    model: z.string().max(128).optional(),
    user_id: z.string().max(256).optional(),
    elevenlabs_extra_body: z
      .object({ client_session_id: z.string().max(64).optional() })
      .loose()
      .nullable()
      .optional(),
  })
  .loose();
export type CustomLlmRequest = z.infer<typeof customLlmRequestSchema>;

/** One SSE chunk the endpoint streams back (`data: {chunk}`; the stream ends with `data: [DONE]`). */
export const chatCompletionChunkSchema = z.object({
  id: z.string(),
  object: z.literal('chat.completion.chunk'),
  created: z.number().int(),
  model: z.string(),
  choices: z.array(
    z.object({
      index: z.number().int(),
      delta: z.object({ role: z.literal('assistant').optional(), content: z.string().optional() }),
      finish_reason: z.enum(['stop']).nullable(),
    }),
  ),
});
export type ChatCompletionChunk = z.infer<typeof chatCompletionChunkSchema>;
