import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import express, { Router, type RequestHandler } from 'express';
import { AppError, parseOrThrow } from '../../../shared/errors.js';
import { ROUTES } from '../../../shared/routes.js';
import { customLlmRequestSchema, type ChatCompletionChunk } from '../../../shared/voice.js';
import type { Logger } from '../observability/logger.js';
import { RECOVERY_LINE, type VoiceLlm } from '../voice/customLlm.js';
import { routeMounter } from './route.js';

export interface VoiceLlmRouterDeps {
  /** Unset (no VOICE_LLM_KEY): the route answers 404 and the agent keeps its own LLM. */
  llm: { key: string; path: string; turns: VoiceLlm } | undefined;
  logger: Logger;
  jsonLimit: string | number;
}

const CATALOGUE_PREFIX = '/llm/v1';

/** Bearer VOICE_LLM_KEY, compared in constant time (both sides hashed to one length first). */
export function bearerGuard(key: string): RequestHandler {
  const expected = createHash('sha256').update(key).digest();
  return (req, _res, next) => {
    const match = /^Bearer ([^\s]+)$/.exec(req.get('authorization') ?? '');
    const given = createHash('sha256')
      .update(match?.[1] ?? '')
      .digest();
    const equal = timingSafeEqual(given, expected);
    next(match && equal ? undefined : new AppError('UNAUTHORIZED', 'A valid voice LLM key is required'));
  };
}

/**
 * `POST <VOICE_LLM_PATH>/chat/completions` (catalogue: /llm/v1/chat/completions): the ElevenLabs
 * agent's Custom LLM. Auth before the body is read; then one voice turn (voice/customLlm.ts),
 * streamed as `data: {chat.completion.chunk}` events ending with `data: [DONE]`. When the
 * platform closes the request (a superseded or cancelled turn), its stream is aborted.
 */
export function voiceLlmRouter(deps: VoiceLlmRouterDeps): Router {
  const outer = Router();
  const inner = Router();
  const on = routeMounter(inner, CATALOGUE_PREFIX);
  const llm = deps.llm;
  const guard: RequestHandler = llm ? bearerGuard(llm.key) : (_req, _res, next) => next(new AppError('NOT_FOUND', 'The voice LLM endpoint is off (VOICE_LLM_KEY is unset)'));
  on(ROUTES.voiceLlm, { guard, before: [] }, async (req, res) => {
    if (!llm) throw new AppError('NOT_FOUND', 'The voice LLM endpoint is off');
    await new Promise<void>((resolve, reject) => express.json({ limit: deps.jsonLimit })(req, res, (err?: unknown) => (err ? reject(err as Error) : resolve())));
    const body = parseOrThrow(customLlmRequestSchema, req.body, 'chat completion request');
    const stream = body.stream !== false;
    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    const model = body.model ?? 'candor';
    const gone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) gone.abort(new Error('platform closed the request'));
    });
    let first = true;
    let whole = '';
    const chunk = (delta: ChatCompletionChunk['choices'][number]['delta'], finish: 'stop' | null): string =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }] } satisfies ChatCompletionChunk)}\n\n`;
    if (stream) {
      req.socket.setNoDelay(true);
      res.status(200);
      res.setHeader('content-type', 'text/event-stream; charset=utf-8');
      res.setHeader('cache-control', 'no-cache, no-transform');
      res.setHeader('x-accel-buffering', 'no');
      res.flushHeaders();
    }
    const out = {
      write(text: string): void {
        if (text.length === 0 || res.writableEnded) return;
        if (!stream) {
          whole += text;
          return;
        }
        res.write(chunk(first ? { role: 'assistant', content: text } : { content: text }, null));
        first = false;
      },
    };
    try {
      await llm.turns.handle(body, out, gone.signal);
    } catch (err) {
      deps.logger.error('voice llm request failed', { err });
      if (!stream) throw err;
      // Never dead air: the next request asks again.
      out.write(RECOVERY_LINE);
    }
    if (res.writableEnded || gone.signal.aborted) return;
    if (!stream) {
      res.status(200).json({ id, object: 'chat.completion', created, model, choices: [{ index: 0, message: { role: 'assistant', content: whole }, finish_reason: 'stop' }] } as never);
      return;
    }
    res.write(chunk({}, 'stop'));
    res.end('data: [DONE]\n\n');
  });
  outer.use(llm?.path ?? CATALOGUE_PREFIX, inner);
  return outer;
}
