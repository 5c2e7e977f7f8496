import { randomUUID } from 'node:crypto';
import { listen } from './listen.js';

/**
 * A local stand-in for the ElevenLabs API endpoints Candor uses through the
 * official SDK (snake_case JSON, as the real API answers):
 *   GET /v1/convai/conversation/get-signed-url   -> {signed_url} with ?conversation_id= when include_conversation_id
 *   GET /v1/convai/conversation/token            -> {token, conversation_id}
 *   GET /v1/convai/conversations/:id             -> a conversation, or 404
 *   GET /v1/convai/conversations                 -> {conversations, has_more, next_cursor}, filtered by agent, user, time,
 *                                                   dynamic variable; pages of at most `options.maxPageSize`, newest first
 */
export interface FakeConversation {
  conversationId: string;
  agentId: string;
  userId?: string;
  clientSessionId?: string;
  startUnix: number;
  status?: string;
  lines: Array<{ role: 'user' | 'agent'; message: string }>;
}

export interface FakeElevenLabs {
  url: string;
  conversations: Map<string, FakeConversation>;
  requests: string[];
  /**
   * signedUrlWithoutId: signed URLs carry no conversation_id (as without includeConversationId).
   * maxPageSize: the most conversations one list page holds. ignoreDynamicVariables: the list
   * does not narrow by dynamic variable. throttle: the next N list requests answer 429.
   */
  options: { signedUrlWithoutId: boolean; maxPageSize: number; ignoreDynamicVariables: boolean; throttle: number };
  /** Times of the 429s the list answered, and of every list request (ms since epoch). */
  listCalls: Array<{ at: number; status: number; cursor: string | null }>;
  add(c: FakeConversation): void;
  close(): Promise<void>;
}

export async function startFakeElevenLabs(): Promise<FakeElevenLabs> {
  const conversations = new Map<string, FakeConversation>();
  const requests: string[] = [];
  const options = { signedUrlWithoutId: false, maxPageSize: 20, ignoreDynamicVariables: false, throttle: 0 };
  const listCalls: FakeElevenLabs['listCalls'] = [];
  const server = await listen((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.headers['xi-api-key'] === undefined) return send(401, { detail: 'missing key' });
    if (url.pathname === '/v1/convai/conversation/get-signed-url') {
      const id = `conv_${randomUUID().replace(/-/g, '')}`;
      const include = url.searchParams.get('include_conversation_id') === 'true' && !options.signedUrlWithoutId;
      return send(200, { signed_url: `wss://fake.elevenlabs.test/v1/convai/conversation?agent_id=${url.searchParams.get('agent_id')}${include ? `&conversation_id=${id}` : ''}&token=t` });
    }
    if (url.pathname === '/v1/convai/conversation/token') {
      return send(200, { token: `tok_${randomUUID()}`, conversation_id: `conv_${randomUUID().replace(/-/g, '')}` });
    }
    const one = /^\/v1\/convai\/conversations\/([^/]+)$/.exec(url.pathname);
    if (one?.[1]) {
      const c = conversations.get(decodeURIComponent(one[1]));
      if (!c) return send(404, { detail: 'not found' });
      return send(200, full(c));
    }
    if (url.pathname === '/v1/convai/conversations') {
      const cursor = url.searchParams.get('cursor');
      if (options.throttle > 0) {
        options.throttle -= 1;
        listCalls.push({ at: Date.now(), status: 429, cursor });
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '0' });
        res.end(JSON.stringify({ detail: 'too many requests' }));
        return;
      }
      listCalls.push({ at: Date.now(), status: 200, cursor });
      const agent = url.searchParams.get('agent_id');
      const user = url.searchParams.get('user_id');
      const after = Number(url.searchParams.get('call_start_after_unix') ?? '0');
      const before = Number(url.searchParams.get('call_start_before_unix') ?? `${Number.MAX_SAFE_INTEGER}`);
      const dyn = url.searchParams.getAll('dynamic_variable_params');
      const wanted = dyn.map((d) => /^client_session_id:eq:(.+)$/.exec(d)?.[1]).filter((v): v is string => Boolean(v));
      const list = [...conversations.values()].filter(
        (c) =>
          (!agent || c.agentId === agent) &&
          (!user || c.userId === user) &&
          c.startUnix >= after &&
          c.startUnix <= before &&
          (options.ignoreDynamicVariables || wanted.length === 0 || (c.clientSessionId !== undefined && wanted.includes(c.clientSessionId))),
      );
      list.sort((x, y) => y.startUnix - x.startUnix || x.conversationId.localeCompare(y.conversationId));
      const size = Math.min(options.maxPageSize, Number(url.searchParams.get('page_size') ?? '30'));
      const from = cursor ? Number(cursor) : 0;
      const page = list.slice(from, from + size);
      const hasMore = from + size < list.length;
      return send(200, {
        ...(hasMore ? { next_cursor: String(from + size) } : {}),
        conversations: page.map((c) => ({
          agent_id: c.agentId,
          conversation_id: c.conversationId,
          start_time_unix_secs: c.startUnix,
          call_duration_secs: 60,
          message_count: c.lines.length,
          status: c.status ?? 'done',
          call_successful: 'success',
        })),
        has_more: hasMore,
      });
    }
    return send(404, { detail: 'no route' });
  });
  return {
    url: server.url,
    conversations,
    requests,
    options,
    listCalls,
    add: (c) => void conversations.set(c.conversationId, c),
    close: server.close,
  };
}

function full(c: FakeConversation): Record<string, unknown> {
  return {
    agent_id: c.agentId,
    conversation_id: c.conversationId,
    status: c.status ?? 'done',
    ...(c.userId ? { user_id: c.userId } : {}),
    transcript: c.lines.map((l, i) => ({ role: l.role, message: l.message, time_in_call_secs: i * 5 })),
    metadata: { start_time_unix_secs: c.startUnix, call_duration_secs: 60 },
    analysis: { call_successful: 'success', transcript_summary: 'From the API.' },
    conversation_initiation_client_data: {
      ...(c.userId ? { user_id: c.userId } : {}),
      dynamic_variables: c.clientSessionId ? { client_session_id: c.clientSessionId } : {},
    },
    has_audio: true,
    has_user_audio: true,
    has_response_audio: true,
    has_auxiliary_audio: false,
  };
}
