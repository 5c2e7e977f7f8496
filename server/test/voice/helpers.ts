import { randomUUID } from 'node:crypto';
import type { TranscriptLine } from '../../../shared/interview.js';
import type { SessionByClientWithVoice, SimulatorControls, VoiceSessionResponse } from '../../../shared/voice.js';
import { buildPostCallPayload, deliverWebhook, signWebhook, type DeliveryResult, type PostCallSpec } from '../../src/voice/webhookPayload.js';
import { TestCandidate } from '../support/candidate.js';
import type { TestServer } from '../support/server.js';

export const LINES: TranscriptLine[] = [
  { role: 'agent', text: 'Tell me about a system you designed.' },
  { role: 'user', text: 'I rebuilt a notification pipeline with idempotent consumers.' },
  { role: 'agent', text: 'How did you make them idempotent?' },
  { role: 'user', text: 'Each message had a key stored under a unique index.' },
];

/** A voice session created over REST (with a candidateId = the ElevenLabs user id), as a socket-capable candidate. */
export async function voiceCandidate(server: TestServer, opts: { candidateId?: string } = {}): Promise<TestCandidate> {
  const clientSessionId = randomUUID();
  const res = await fetch(`${server.url}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ clientSessionId, mode: 'voice', role: 'backend-engineer', candidateId: opts.candidateId ?? `cand_${clientSessionId.slice(0, 8)}` }),
  });
  if (res.status !== 201) throw new Error(`create: ${res.status}`);
  return TestCandidate.create(server.url, { clientSessionId, mode: 'voice' });
}

export async function startVoice(c: TestCandidate, simulate?: SimulatorControls, transport?: 'websocket' | 'webrtc'): Promise<VoiceSessionResponse> {
  const res = await c.rest('POST', '/api/voice/session', {
    clientSessionId: c.clientSessionId,
    ...(simulate ? { simulate } : {}),
    ...(transport ? { transport } : {}),
  });
  if (res.status !== 200) throw new Error(`voice session: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as VoiceSessionResponse;
}

export async function results(c: TestCandidate): Promise<SessionByClientWithVoice> {
  const res = await c.rest('GET', `/api/sessions/by-client/${c.clientSessionId}`);
  if (res.status !== 200) throw new Error(`by-client: ${res.status}`);
  return res.body as SessionByClientWithVoice;
}

export interface WebhookOpts extends Partial<PostCallSpec> {
  secret?: string;
  timestamp?: number;
  badSignature?: boolean;
}

/** A real-shaped post-call webhook for `start` (the voice session response), correctly signed unless asked otherwise. */
export async function sendWebhook(server: TestServer, opts: WebhookOpts & { conversationId: string; agentId: string }): Promise<DeliveryResult & { raw: string }> {
  const { secret, timestamp, badSignature, ...spec } = opts;
  const raw = JSON.stringify(
    buildPostCallPayload({
      startedAt: new Date(),
      durationSecs: 60,
      lines: LINES,
      ...spec,
    }),
  );
  const sig = signWebhook(raw, badSignature ? 'not-the-secret-at-all' : (secret ?? server.config.voice.webhookSecret), timestamp);
  return { ...(await deliverWebhook(server.url, raw, sig)), raw };
}

export async function waitFor<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 8_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 40));
    last = await probe();
  }
  return last;
}

export function newConversationId(): string {
  return `conv_${randomUUID().replace(/-/g, '')}`;
}
