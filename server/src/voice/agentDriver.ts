import { chatCompletionChunkSchema, type ChatMessage, type CustomLlmRequest } from '../../../shared/voice.js';
import { PROMPT_CONVERSATION_LINE, PROMPT_SESSION_LINE } from './customLlm.js';

/** What one Chat Completions request to the Custom LLM endpoint got back. */
export interface CompletionResult {
  status: number;
  /** The spoken text: every chunk's delta content, joined. */
  text: string;
  /** Content chunks received. */
  chunks: number;
  /** `data: [DONE]` arrived. */
  done: boolean;
  /** Request sent -> first content chunk (ms); null without one. */
  firstChunkMs: number | null;
}

/** The agent's system prompt with the dynamic variables rendered in, as the platform sends it (docs/voice.md). */
export function renderedSystemPrompt(clientSessionId: string | undefined, conversationId?: string): string {
  return [
    'You are the voice of a technical interview. Speak only what you are given.',
    // Without the dynamic variable the platform renders nothing in its place.
    PROMPT_SESSION_LINE.replace('{{client_session_id}}', clientSessionId ?? ''),
    // The platform renders an unknown variable as nothing; Candor then reads no conversation id.
    PROMPT_CONVERSATION_LINE.replace('{{system__conversation_id}}', conversationId ?? ''),
  ].join('\n');
}

/**
 * Posts one Chat Completions request the way the ElevenLabs platform does (stream: true) and
 * reads the SSE answer. `signal` aborts it (a superseded speculative request); `onChunk` sees
 * each content delta as it arrives.
 */
export async function postCompletion(
  url: string,
  key: string | null,
  body: CustomLlmRequest,
  opts: { signal?: AbortSignal; onChunk?: (text: string) => void } = {},
): Promise<CompletionResult> {
  const sent = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key !== null ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify(body),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const result: CompletionResult = { status: res.status, text: '', chunks: 0, done: false, firstChunkMs: null };
  if (!res.ok || !res.body) {
    await res.body?.cancel();
    return result;
  }
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const bytes of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(bytes, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = event.startsWith('data: ') ? event.slice(6) : null;
      if (data === null) continue;
      if (data === '[DONE]') {
        result.done = true;
        continue;
      }
      const chunk = chatCompletionChunkSchema.parse(JSON.parse(data));
      const content = chunk.choices[0]?.delta.content;
      if (content) {
        result.firstChunkMs ??= performance.now() - sent;
        result.chunks += 1;
        result.text += content;
        opts.onChunk?.(content);
      }
    }
  }
  return result;
}

/**
 * Plays the ElevenLabs platform against the Custom LLM endpoint: keeps the conversation
 * (system prompt with dynamic variables rendered, then agent and user lines) and sends it
 * whole with every turn, as the platform does. The voice simulator and the tests use it.
 */
export class PlatformConversation {
  readonly history: ChatMessage[];

  constructor(
    private readonly url: string,
    private readonly key: string,
    readonly clientSessionId: string,
    readonly conversationId: string | undefined,
    private readonly extraBody = true,
    promptVariables = true,
  ) {
    this.history = [{ role: 'system', content: renderedSystemPrompt(promptVariables ? clientSessionId : undefined, conversationId) }];
  }

  body(messages: ChatMessage[]): CustomLlmRequest {
    return {
      model: 'candor',
      stream: true,
      messages,
      user_id: `user_${this.clientSessionId.slice(0, 8)}`,
      ...(this.extraBody ? { elevenlabs_extra_body: { client_session_id: this.clientSessionId } } : {}),
    };
  }

  /** The agent's first turn: no user line yet. */
  async opening(): Promise<CompletionResult> {
    return this.send([...this.history]);
  }

  /**
   * The user said `answer`. With `speculativePrefix` the platform first starts a request on the
   * words heard so far and aborts it once the user goes on (after `abortAfterMs` or its first
   * chunk); with `retry` it sends the same request twice (the first answer is dropped).
   */
  async answer(answer: string, opts: { speculativePrefix?: string; abortAfterMs?: number; closeFirst?: boolean; retry?: boolean } = {}): Promise<CompletionResult> {
    const messages = [...this.history, { role: 'user', content: answer }];
    if (opts.speculativePrefix !== undefined) {
      const early = new AbortController();
      const firstChunk = new Promise<void>((resolve) => {
        const spec = postCompletion(this.url, this.key, this.body([...this.history, { role: 'user', content: opts.speculativePrefix }]), {
          signal: early.signal,
          onChunk: () => resolve(),
        }).catch(() => undefined);
        void spec.then(() => resolve());
        if (opts.abortAfterMs !== undefined) setTimeout(resolve, opts.abortAfterMs);
      });
      await firstChunk;
      if (opts.closeFirst) {
        // The older request is closed (and its close handled) before the newer one goes out.
        early.abort();
        await new Promise((resolve) => setTimeout(resolve, 50));
        return this.send(messages);
      }
      // The newer request goes out while the older one still streams; then the older is closed.
      const newer = this.send(messages);
      early.abort();
      return newer;
    }
    if (opts.retry) await postCompletion(this.url, this.key, this.body(messages)).catch(() => undefined);
    return this.send(messages);
  }

  private async send(messages: ChatMessage[]): Promise<CompletionResult> {
    const result = await postCompletion(this.url, this.key, this.body(messages));
    if (result.status === 200) {
      const last = messages[messages.length - 1];
      if (last && last.role === 'user') this.history.push(last);
      if (result.text.length > 0) this.history.push({ role: 'assistant', content: result.text });
    }
    return result;
  }
}
