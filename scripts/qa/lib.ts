import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { TranscriptLine } from '../../shared/interview.js';
import type { CreateSessionResponse } from '../../shared/protocol.js';
import type { SessionByClientWithVoice, SimulatorControls, VoiceSessionResponse } from '../../shared/voice.js';
import { buildPostCallPayload, deliverWebhook, signWebhook, type DeliveryResult } from '../../server/src/voice/webhookPayload.js';

/** Shared by `npm run qa:webhook` and `npm run qa:scenarios` (docs/voice.md "QA"). */

export const DEFAULT_TARGET = 'http://localhost:3000';

export const QA_LINES: TranscriptLine[] = [
  { role: 'agent', text: 'Hi, thanks for joining. Could you walk me through a system you designed recently?' },
  { role: 'user', text: 'Sure. I rebuilt our notification pipeline around a queue with idempotent consumers.' },
  { role: 'agent', text: 'How did you make the consumers idempotent?' },
  { role: 'user', text: 'Each message carried a key, stored under a unique index, so a redelivery was a no-op.' },
];

/** "30s", "1500ms", "2m", "500" (ms) -> milliseconds. */
export function parseDuration(value: string | undefined, fallback = 0): number {
  if (value === undefined || value === '') return fallback;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
  if (!m?.[1]) throw new Error(`invalid duration "${value}" (use e.g. 500ms, 30s, 2m)`);
  const n = Number(m[1]);
  return Math.round(m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60_000 : n);
}

/** Secrets of a dev server started with `npm start`: DATA_DIR/generated-secrets.json (flags and env win). */
export function loadSecrets(opts: { secret?: string; sessionSecret?: string; dataDir?: string }): { webhookSecret?: string; sessionSecret?: string } {
  const file = path.join(path.resolve(opts.dataDir ?? process.env['DATA_DIR'] ?? './data'), 'generated-secrets.json');
  let stored: Record<string, unknown> = {};
  try {
    stored = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    stored = {};
  }
  const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
  const webhookSecret = opts.secret ?? str(process.env['ELEVENLABS_WEBHOOK_SECRET']) ?? str(stored['ELEVENLABS_WEBHOOK_SECRET']);
  const sessionSecret = opts.sessionSecret ?? str(process.env['SESSION_SECRET']) ?? str(stored['SESSION_SECRET']);
  return { ...(webhookSecret ? { webhookSecret } : {}), ...(sessionSecret ? { sessionSecret } : {}) };
}

export class Api {
  constructor(readonly target: string) {}

  async call(method: string, p: string, body?: unknown, token?: string): Promise<{ status: number; body: unknown }> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers['authorization'] = `Bearer ${token}`;
    const res = await fetch(`${this.target.replace(/\/$/, '')}${p}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? (JSON.parse(text) as unknown) : null;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed };
  }
}

/** One voice session the QA tools drive: created, started in the simulator with its own webhook off. */
export class QaSession {
  private constructor(
    readonly api: Api,
    readonly clientSessionId: string,
    readonly candidateId: string,
    readonly token: string,
    public start: VoiceSessionResponse | null = null,
  ) {}

  static async create(api: Api, opts: { candidateId?: string } = {}): Promise<QaSession> {
    const clientSessionId = randomUUID();
    const candidateId = opts.candidateId ?? `qa_${randomUUID().slice(0, 8)}`;
    const res = await api.call('POST', '/api/sessions', { clientSessionId, mode: 'voice', role: 'backend-engineer', candidateId });
    if (res.status !== 201) throw new Error(`create session: HTTP ${res.status}`);
    return new QaSession(api, clientSessionId, candidateId, (res.body as CreateSessionResponse).candidateToken);
  }

  async startVoice(simulate: SimulatorControls = {}): Promise<VoiceSessionResponse> {
    const res = await this.api.call('POST', '/api/voice/session', { clientSessionId: this.clientSessionId, simulate: { webhook: 'off', ...simulate } }, this.token);
    if (res.status !== 200) throw new Error(`voice session: HTTP ${res.status}`);
    this.start = res.body as VoiceSessionResponse;
    return this.start;
  }

  async end(conversationId?: string): Promise<{ status: number; body: unknown }> {
    return this.api.call('POST', `/api/sessions/${this.clientSessionId}/end`, { endedBy: 'user', ...(conversationId ? { conversationId } : {}) }, this.token);
  }

  async results(): Promise<SessionByClientWithVoice> {
    return readResults(this.api, this.clientSessionId, this.token);
  }
}

export async function readResults(api: Api, clientSessionId: string, token: string): Promise<SessionByClientWithVoice> {
  const res = await api.call('GET', `/api/sessions/by-client/${clientSessionId}`, undefined, token);
  if (res.status !== 200) throw new Error(`by-client: HTTP ${res.status}`);
  return res.body as SessionByClientWithVoice;
}

export interface WebhookSpec {
  target: string;
  secret: string;
  conversationId: string;
  agentId: string;
  userId?: string;
  clientSessionId?: string;
  omitDynamicVariables?: boolean;
  startedAt?: Date;
  lines?: TranscriptLine[];
  badSignature?: boolean;
  stale?: boolean;
  duplicate?: number;
}

/** Sends one real-shaped post-call webhook (signed, or deliberately broken) `duplicate` times; same bytes each time. */
export async function sendQaWebhook(spec: WebhookSpec): Promise<DeliveryResult[]> {
  const startedAt = spec.startedAt ?? new Date(Date.now() - 60_000);
  const raw = JSON.stringify(
    buildPostCallPayload({
      conversationId: spec.conversationId,
      agentId: spec.agentId,
      ...(spec.userId ? { userId: spec.userId } : {}),
      ...(spec.clientSessionId ? { clientSessionId: spec.clientSessionId } : {}),
      omitDynamicVariables: spec.omitDynamicVariables ?? false,
      startedAt,
      durationSecs: Math.max(1, (Date.now() - startedAt.getTime()) / 1000),
      lines: spec.lines && spec.lines.length > 0 ? spec.lines : QA_LINES,
    }),
  );
  const t = Math.floor(Date.now() / 1000) - (spec.stale ? 31 * 60 : 0);
  const signature = signWebhook(raw, spec.badSignature ? `forged-${randomUUID()}` : spec.secret, t);
  const out: DeliveryResult[] = [];
  for (let i = 0; i < Math.max(1, spec.duplicate ?? 1); i += 1) out.push(await deliverWebhook(spec.target, raw, signature));
  return out;
}

export function newConversationId(): string {
  return `conv_qa_${randomUUID().replace(/-/g, '')}`;
}

export async function pollUntil<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number): Promise<{ value: T; ok: boolean }> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (!ok(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    value = await probe();
  }
  return { value, ok: ok(value) };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
