import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the OpenAI Chat Completions API speaking the real wire
 * format (SSE `chat.completion.chunk`s + usage chunk + `[DONE]`, or a
 * `chat.completion` JSON). Each request takes the next scripted reply.
 * Listens on 127.0.0.1 only; nothing calls out.
 */

export interface FakeUsage {
  prompt_tokens: number;
  completion_tokens: number;
}

export type FakeReply =
  /** An SSE stream of these deltas. */
  | {
      kind: 'stream';
      deltas: string[];
      usage?: FakeUsage;
      /** Pause before each content chunk. */
      delayMs?: number;
      /** Destroy the TCP connection after this many content chunks. */
      cutAfter?: number;
      /** Send this many content chunks, then nothing more (connection kept open). */
      stallAfter?: number;
    }
  /** A non-streaming chat.completion whose message content is `content` (any text, valid JSON or not). */
  | { kind: 'completion'; content: string; usage?: FakeUsage }
  /** An error status with OpenAI's error body. */
  | { kind: 'status'; status: number; headers?: Record<string, string>; message?: string }
  /** Accept the request and never answer. */
  | { kind: 'hang' };

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: ChatBody;
}

export interface ChatBody {
  model?: string;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  messages?: Array<{ role: string; content: string }>;
  response_format?: { type: string; json_schema?: { name: string; strict?: boolean; schema: unknown } };
}

export interface FakeOpenAi {
  /** e.g. http://127.0.0.1:54321/v1 — pass as the SDK's baseURL. */
  baseURL: string;
  requests: RecordedRequest[];
  /** Queue replies for the next requests, in order. */
  script(...replies: FakeReply[]): void;
  /** Served when the queue is empty (default: a 400 that the SDK does not retry). */
  fallback: FakeReply | undefined;
  /** Consulted before the queue: answer by request (e.g. JSON calls vs streams) when the order of concurrent calls is not fixed. */
  responder: ((body: ChatBody) => FakeReply | undefined) | undefined;
  close(): Promise<void>;
}

const DEFAULT_USAGE: FakeUsage = { prompt_tokens: 42, completion_tokens: 7 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startFakeOpenAi(): Promise<FakeOpenAi> {
  const queue: FakeReply[] = [];
  const requests: RecordedRequest[] = [];
  let counter = 0;

  const fake: FakeOpenAi = {
    baseURL: '',
    requests,
    script: (...replies) => queue.push(...replies),
    fallback: undefined,
    responder: undefined,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };

  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(parts).toString('utf8') || '{}') as ChatBody;
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        sendError(res, 404, 'unknown route', { 'x-should-retry': 'false' });
        return;
      }
      const reply = fake.responder?.(body) ?? queue.shift() ?? fake.fallback ?? {
        kind: 'status',
        status: 400,
        message: 'fake OpenAI: no scripted reply',
        headers: { 'x-should-retry': 'false' },
      };
      const id = `chatcmpl-fake${++counter}`;
      void serve(reply, body, id, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return fake;
}

async function serve(reply: FakeReply, body: ChatBody, id: string, res: http.ServerResponse): Promise<void> {
  const model = body.model ?? 'gpt-4o-mini';
  const created = Math.floor(Date.now() / 1000);
  switch (reply.kind) {
    case 'hang':
      return;
    case 'status':
      sendError(res, reply.status, reply.message ?? `fake status ${reply.status}`, reply.headers);
      return;
    case 'completion': {
      const usage = reply.usage ?? DEFAULT_USAGE;
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': `req_${id}` });
      res.end(
        JSON.stringify({
          id,
          object: 'chat.completion',
          created,
          model,
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: reply.content, refusal: null },
              logprobs: null,
              finish_reason: 'stop',
            },
          ],
          usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
        }),
      );
      return;
    }
    case 'stream': {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-request-id': `req_${id}` });
      const withUsage = body.stream_options?.include_usage === true;
      // With include_usage, OpenAI sends `usage: null` on every chunk but the last one.
      const chunk = (choices: unknown[], extra: Record<string, unknown> = withUsage ? { usage: null } : {}) =>
        `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_fake', choices, ...extra })}\n\n`;
      const write = (text: string) => new Promise<void>((resolve) => res.write(text, () => resolve()));
      for (const [i, delta] of reply.deltas.entries()) {
        if (reply.cutAfter === i) {
          res.socket?.destroy();
          return;
        }
        if (reply.stallAfter === i) return;
        if (reply.delayMs) await sleep(reply.delayMs);
        if (res.destroyed) return;
        // The first chunk carries the role, as OpenAI's does.
        const d = i === 0 ? { role: 'assistant', content: delta } : { content: delta };
        await write(chunk([{ index: 0, delta: d, logprobs: null, finish_reason: null }]));
      }
      if (reply.cutAfter !== undefined && reply.cutAfter >= reply.deltas.length) {
        res.socket?.destroy();
        return;
      }
      if (reply.stallAfter !== undefined && reply.stallAfter >= reply.deltas.length) return;
      await write(chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]));
      if (withUsage) {
        const usage = reply.usage ?? DEFAULT_USAGE;
        await write(chunk([], { usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } }));
      }
      res.end('data: [DONE]\n\n');
      return;
    }
  }
}

function sendError(res: http.ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ error: { message, type: 'fake_error', param: null, code: null } }));
}
