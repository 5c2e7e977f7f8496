import type { ElevenLabsClient, ElevenLabsError } from '@elevenlabs/elevenlabs-js';
import { agentIdSchema, candidateIdSchema, clientSessionIdSchema, conversationIdSchema } from '../../../shared/ids.js';
import type { VoiceTransport } from '../../../shared/voice.js';
import { line, type CallRecord } from './call.js';
import { elevenLabsSdk } from './elevenLabsSdk.js';

/**
 * What Candor needs from ElevenLabs (ELEVENLABS.md). The real adapter wraps the
 * official SDK; the simulator has no API and answers "nothing found".
 */
export interface ConversationStart {
  signedUrl?: string;
  conversationToken?: string;
  /** Known before the browser connects: from the signed URL (includeConversationId) or the WebRTC token. */
  conversationId?: string;
}

export interface ConversationListQuery {
  agentId: string;
  userId?: string;
  startAfter: Date;
  startBefore: Date;
  /** Filters by the `client_session_id` dynamic variable. */
  clientSessionId?: string;
}

export interface ConversationSummary {
  conversationId: string;
  startedAt: Date;
  status: string;
}

export interface ElevenLabsGateway {
  readonly simulated: boolean;
  startConversation(agentId: string, transport: VoiceTransport): Promise<ConversationStart>;
  /** Null when ElevenLabs does not know this conversation (404). */
  getConversation(conversationId: string): Promise<CallRecord | null>;
  listConversations(query: ConversationListQuery): Promise<ConversationSummary[]>;
}

export interface SdkGatewayOptions {
  apiKey: string;
  /** Tests point the SDK at a local fake. */
  baseUrl?: string;
  maxRetries?: number;
  timeoutInSeconds?: number;
  /** Conversations asked for per `conversations.list` page (the API may answer fewer). */
  pageSize?: number;
  /** Waits before retry n (1-based) of a page answered 429 after the SDK's own retries. */
  backoffMs?: (attempt: number, retryAfterMs: number | undefined) => number;
}

/** Pages read per listing at most (a bound, not a window anyone reaches: 50 x pageSize conversations). */
const MAX_PAGES = 50;
const MAX_429_RETRIES = 4;

export class SdkElevenLabsGateway implements ElevenLabsGateway {
  readonly simulated = false;
  /** Created with the first call (the SDK loads then: elevenLabsSdk.ts). */
  private client: Promise<ElevenLabsClient> | undefined;
  private readonly pageSize: number;
  private readonly backoffMs: NonNullable<SdkGatewayOptions['backoffMs']>;

  constructor(private readonly opts: SdkGatewayOptions) {
    this.pageSize = opts.pageSize ?? 100;
    this.backoffMs = opts.backoffMs ?? ((attempt, retryAfterMs) => retryAfterMs ?? Math.min(30_000, 1_000 * 2 ** (attempt - 1)));
  }

  private sdk(): Promise<ElevenLabsClient> {
    const { apiKey, baseUrl, maxRetries, timeoutInSeconds } = this.opts;
    this.client ??= elevenLabsSdk().then(
      ({ ElevenLabsClient }) => new ElevenLabsClient({ apiKey, ...(baseUrl ? { baseUrl } : {}), maxRetries: maxRetries ?? 2, timeoutInSeconds: timeoutInSeconds ?? 20 }),
    );
    return this.client;
  }

  async startConversation(agentId: string, transport: VoiceTransport): Promise<ConversationStart> {
    const conversations = (await this.sdk()).conversationalAi.conversations;
    if (transport === 'webrtc') {
      const res = await conversations.getWebrtcToken({ agentId });
      const out: ConversationStart = { conversationToken: res.token };
      if (conversationIdSchema.safeParse(res.conversationId).success) out.conversationId = res.conversationId;
      return out;
    }
    const res = await conversations.getSignedUrl({ agentId, includeConversationId: true });
    const out: ConversationStart = { signedUrl: res.signedUrl };
    const id = conversationIdFromSignedUrl(res.signedUrl);
    if (id) out.conversationId = id;
    return out;
  }

  async getConversation(conversationId: string): Promise<CallRecord | null> {
    try {
      const c = await (await this.sdk()).conversationalAi.conversations.get(conversationId);
      const init = c.conversationInitiationClientData;
      const vars = init?.dynamicVariables ?? {};
      const csid = vars['client_session_id'];
      const id = conversationIdSchema.safeParse(c.conversationId);
      if (!id.success) return null;
      return {
        conversationId: id.data,
        agentId: agentIdSchema.safeParse(c.agentId).success ? c.agentId : undefined,
        userId: pick(candidateIdSchema, c.userId ?? init?.userId),
        status: c.status,
        startedAt: new Date(c.metadata.startTimeUnixSecs * 1000),
        durationSecs: c.metadata.callDurationSecs,
        clientSessionId: clientSessionIdSchema.safeParse(csid).success ? (csid as string) : undefined,
        role: typeof vars['role'] === 'string' ? vars['role'] : undefined,
        lines: c.transcript.flatMap((t) => line(t.role, t.message, t.timeInCallSecs)),
        summary: c.analysis?.transcriptSummary,
      };
    } catch (err) {
      if (err instanceof (await elevenLabsSdk()).ElevenLabsError && err.statusCode === 404) return null;
      throw err;
    }
  }

  /** Every page of the window (cursor until `has_more` is false); a page answered 429 is retried after a backoff. */
  async listConversations(q: ConversationListQuery): Promise<ConversationSummary[]> {
    const found: ConversationSummary[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < MAX_PAGES; pages++) {
      const page = await this.pageWithBackoff({
        agentId: q.agentId,
        ...(q.userId ? { userId: q.userId } : {}),
        callStartAfterUnix: Math.floor(q.startAfter.getTime() / 1000),
        callStartBeforeUnix: Math.ceil(q.startBefore.getTime() / 1000),
        ...(q.clientSessionId ? { dynamicVariableParams: [`client_session_id:eq:${q.clientSessionId}`] } : {}),
        pageSize: this.pageSize,
        ...(cursor ? { cursor } : {}),
      });
      for (const c of page.conversations) {
        if (conversationIdSchema.safeParse(c.conversationId).success) found.push({ conversationId: c.conversationId, startedAt: new Date(c.startTimeUnixSecs * 1000), status: c.status });
      }
      if (!page.hasMore || !page.nextCursor || page.nextCursor === cursor) break;
      cursor = page.nextCursor;
    }
    return found;
  }

  private async pageWithBackoff(request: Parameters<ElevenLabsClient['conversationalAi']['conversations']['list']>[0]) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await (await this.sdk()).conversationalAi.conversations.list(request);
      } catch (err) {
        // The SDK already retried (honouring Retry-After); past that, wait longer before giving up.
        if (!(err instanceof (await elevenLabsSdk()).ElevenLabsError) || err.statusCode !== 429 || attempt > MAX_429_RETRIES) throw err;
        await new Promise((resolve) => setTimeout(resolve, this.backoffMs(attempt, retryAfterOf(err))));
      }
    }
  }
}

/** The signed URL of `includeConversationId: true` carries the id as the `conversation_id` query parameter. */
export function conversationIdFromSignedUrl(signedUrl: string): string | undefined {
  try {
    const id = new URL(signedUrl).searchParams.get('conversation_id');
    return id && conversationIdSchema.safeParse(id).success ? id : undefined;
  } catch {
    return undefined;
  }
}

function retryAfterOf(err: ElevenLabsError): number | undefined {
  const raw = (err.rawResponse?.headers as Headers | undefined)?.get?.('retry-after');
  const secs = raw ? Number.parseInt(raw, 10) : NaN;
  return Number.isFinite(secs) && secs > 0 ? secs * 1000 : undefined;
}

function pick(schema: typeof candidateIdSchema, value: unknown): string | undefined {
  return typeof value === 'string' && schema.safeParse(value).success ? value : undefined;
}

/** No ElevenLabs account: the simulator's gateway. The reconciler finds nothing through it. */
export class SimulatedGateway implements ElevenLabsGateway {
  readonly simulated = true;
  startConversation(): Promise<ConversationStart> {
    return Promise.resolve({});
  }
  getConversation(): Promise<CallRecord | null> {
    return Promise.resolve(null);
  }
  listConversations(): Promise<ConversationSummary[]> {
    return Promise.resolve([]);
  }
}
