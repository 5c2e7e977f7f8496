import OpenAI from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { EvaluationResult } from '../../../../shared/interview.js';
import { buildContext, contextWindowFor, type ChatMessage } from '../context.js';
import {
  LlmError,
  type AnswerAssessment,
  type CallOptions,
  type EvaluationRequest,
  type Interviewer,
  type QuestionRequest,
  type ScoreRequest,
} from '../port.js';
import { createBreaker, type BreakerOptions, type BreakerState } from './breaker.js';
import { IdleTimeoutError, abortError, toLlmError } from './errors.js';
import { DEFAULT_PRICING, usageOf, type PricingTable } from './pricing.js';
import { NEXT_QUESTION_NUDGE, evaluationMessages, needsNudge, questionSystemPrompt, scoreMessages } from './prompts.js';
import { ASSESSMENT_FORMAT, EVALUATION_FORMAT, parseReply, type JsonFormat } from './structured.js';

export interface OpenAiInterviewerOptions {
  apiKey: string;
  /** e.g. 'http://127.0.0.1:4010/v1' for a compatible server; default: the SDK's (api.openai.com). */
  baseURL?: string;
  /** Default 'gpt-4o-mini'. */
  model?: string;
  /**
   * Per HTTP attempt, until the response headers (the SDK's `timeout`), and
   * again as the longest silence between two stream chunks. Default 20 s.
   */
  timeoutMs?: number;
  /** SDK retries of connection errors, timeouts, 408/409/429/5xx, before any token. Default 2. */
  maxRetries?: number;
  breaker?: BreakerOptions;
  /** Merged over DEFAULT_PRICING (USD per 1M tokens). */
  pricing?: PricingTable;
  /** Called on every breaker transition (for metrics and logs). */
  onBreakerStateChange?: (state: BreakerState) => void;
}

export interface OpenAiInterviewer extends Interviewer {
  readonly model: string;
  breakerState(): BreakerState;
}

export function createOpenAiInterviewer(options: OpenAiInterviewerOptions): OpenAiInterviewer {
  const model = options.model ?? 'gpt-4o-mini';
  const timeoutMs = options.timeoutMs ?? 20_000;
  const pricing: PricingTable = { ...DEFAULT_PRICING, ...options.pricing };
  const window = contextWindowFor(model);
  const client = new OpenAI({
    apiKey: options.apiKey,
    baseURL: options.baseURL,
    maxRetries: options.maxRetries ?? 2,
    timeout: timeoutMs,
    // The SDK logs raw chunks on parse errors; candidate text must never reach logs.
    logLevel: 'off',
  });
  const breaker = createBreaker(options.breaker);
  if (options.onBreakerStateChange) breaker.onStateChange(options.onBreakerStateChange);

  const report = (opts: CallOptions | undefined, usage: { prompt_tokens: number; completion_tokens: number } | null | undefined): void => {
    if (usage && opts?.onUsage) opts.onUsage(usageOf(model, usage.prompt_tokens, usage.completion_tokens, pricing));
  };

  async function* streamQuestion(req: QuestionRequest, opts?: CallOptions): AsyncGenerator<string, void, undefined> {
    const signal = opts?.signal;
    if (signal?.aborted) throw abortError();
    // A safety net: the service trims history already; this enforces the budget with the real prompt.
    const { messages } = buildContext({ systemPrompt: questionSystemPrompt(req), history: req.history, maxContextTokens: window });
    if (needsNudge(req.history)) messages.push({ role: 'user', content: NEXT_QUESTION_NUDGE });

    const lease = await breaker.admit();
    let settled = false;
    let yielded = false;
    let stream: Awaited<ReturnType<typeof openStream>> | undefined;
    try {
      try {
        stream = await openStream(client, model, messages, signal);
        const iterator = stream[Symbol.asyncIterator]();
        let finished = false;
        let usage: ChatCompletionChunk['usage'];
        for (;;) {
          const step = await nextWithin(iterator, timeoutMs, signal);
          if (step.done) break;
          const chunk = step.value;
          if (chunk.usage) usage = chunk.usage;
          const choice = chunk.choices[0];
          if (choice?.finish_reason) finished = true;
          const delta = choice?.delta?.content;
          if (delta) {
            yielded = true;
            yield delta;
          }
        }
        // The SDK ends the iteration quietly when aborted mid-stream.
        if (signal?.aborted) throw abortError();
        // A connection closed cleanly but early is still a cut.
        if (!finished) throw new Error('the stream ended without a finish_reason');
        if (!yielded) throw new LlmError('LLM_BAD_OUTPUT', 'the model returned an empty question', true);
        report(opts, usage);
      } catch (error) {
        throw toLlmError(error, { yielded, signal });
      }
      settled = true;
      lease.succeed();
    } catch (error) {
      settled = true;
      lease.fail(error);
      throw error;
    } finally {
      // The consumer stopped early (break/return): neither a success nor an outage.
      if (!settled) lease.fail(abortError());
      // Closes the HTTP response if it is still open (no-op after [DONE]).
      stream?.controller.abort();
    }
  }

  async function completeJson<T>(messages: ChatMessage[], format: JsonFormat<T>, opts: CallOptions | undefined): Promise<T> {
    const signal = opts?.signal;
    const first = await completion(messages, format, signal);
    const parsed = parseReply(first, format);
    if (parsed.ok) return parsed.value;
    // One repair round: show the model its reply and what was wrong with it.
    const repair: ChatMessage[] = [
      ...messages,
      { role: 'assistant', content: first ?? '' },
      { role: 'user', content: `That reply was invalid: ${parsed.problem}. Reply again with only the JSON object, matching the schema exactly.` },
    ];
    const second = parseReply(await completion(repair, format, signal), format);
    if (second.ok) return second.value;
    throw new LlmError('LLM_BAD_OUTPUT', `the model returned invalid ${format.name} twice: ${second.problem}`, false);

    async function completion(msgs: ChatMessage[], fmt: JsonFormat<T>, sig: AbortSignal | undefined): Promise<string | null | undefined> {
      if (sig?.aborted) throw abortError();
      return breaker.run(async () => {
        try {
          const res = await client.chat.completions.create(
            {
              model,
              messages: msgs,
              response_format: { type: 'json_schema', json_schema: { name: fmt.name, strict: true, schema: fmt.jsonSchema } },
            },
            { signal: sig },
          );
          report(opts, res.usage);
          const message = res.choices[0]?.message;
          // A refusal or a reply cut by max tokens is bad output, handled like invalid JSON.
          return message?.refusal ? null : message?.content;
        } catch (error) {
          throw toLlmError(error, { yielded: false, signal: sig });
        }
      });
    }
  }

  return {
    name: `openai:${model}`,
    // A whole interview (20 questions and their answers, with room for voice lines): the
    // model sees everything that fits its context budget (buildContext trims it).
    historyWindow: 60,
    model,
    breakerState: () => breaker.state(),
    streamQuestion,
    scoreAnswer: (req: ScoreRequest, opts?: CallOptions): Promise<AnswerAssessment> =>
      completeJson(scoreMessages(req), ASSESSMENT_FORMAT, opts),
    evaluate: (req: EvaluationRequest, opts?: CallOptions): Promise<EvaluationResult> =>
      completeJson(evaluationMessages(req), EVALUATION_FORMAT, opts),
  };
}

function openStream(client: OpenAI, model: string, messages: ChatMessage[], signal: AbortSignal | undefined) {
  return client.chat.completions.create(
    { model, messages, stream: true, stream_options: { include_usage: true } },
    { signal },
  );
}

/**
 * The SDK's timeout stops at the response headers; this bounds every wait for
 * the next chunk too, and reacts to `signal` at once.
 */
function nextWithin<T>(iterator: AsyncIterator<T>, ms: number, signal: AbortSignal | undefined): Promise<IteratorResult<T>> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(abortError());
    const timer = setTimeout(() => reject(new IdleTimeoutError(ms)), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
    iterator
      .next()
      .then(resolve, reject)
      .finally(() => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      });
  });
}
