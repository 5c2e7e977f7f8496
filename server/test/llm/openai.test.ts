import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EvaluationResult } from '../../../shared/interview.js';
import { createOpenAiInterviewer, isAbortError, usageOf, type OpenAiInterviewerOptions } from '../../src/llm/openai/index.js';
import { LlmError, type QuestionRequest, type RoleProfile, type ScoreRequest, type Usage } from '../../src/llm/port.js';
import { startFakeOpenAi, type FakeOpenAi } from '../support/fakeOpenAi.js';

const role: RoleProfile = {
  id: 'backend',
  title: 'Backend Engineer',
  description: 'Builds and runs services.',
  skills: [
    { id: 'system-design', name: 'System design' },
    { id: 'databases', name: 'Databases' },
  ],
};

const question: QuestionRequest = {
  sessionKey: 's1',
  role,
  number: 3,
  phase: 'standard',
  difficulty: 3,
  skill: 'databases',
  history: [
    { role: 'interviewer', text: 'Tell me about a service you built.' },
    { role: 'candidate', text: 'I built a payments API on Postgres.' },
  ],
};

const scoreReq: ScoreRequest = {
  role,
  phase: 'standard',
  difficulty: 3,
  skill: 'databases',
  question: 'How do you index a large table?',
  answer: 'B-tree indexes on the filtered columns, built concurrently.',
};

const evaluation: EvaluationResult = {
  overall: 7,
  summary: 'Solid backend fundamentals.',
  strengths: ['indexing'],
  concerns: ['little on observability'],
  competencies: [{ name: 'Databases', score: 8, evidence: 'built indexes concurrently' }],
};

let fake: FakeOpenAi;
beforeEach(async () => {
  fake = await startFakeOpenAi();
});
afterEach(async () => {
  await fake.close();
});

function interviewer(overrides: Partial<OpenAiInterviewerOptions> = {}) {
  return createOpenAiInterviewer({
    apiKey: 'sk-test',
    baseURL: fake.baseURL,
    timeoutMs: 300,
    maxRetries: 0,
    breaker: { threshold: 3, halfOpenAfterMs: 150 },
    ...overrides,
  });
}

/** Drains a stream, keeping what arrived before a failure. */
async function drain(stream: AsyncIterable<string>): Promise<{ tokens: string[]; error?: unknown }> {
  const tokens: string[] = [];
  try {
    for await (const t of stream) tokens.push(t);
    return { tokens };
  } catch (error) {
    return { tokens, error };
  }
}

function expectLlmError(error: unknown, code: LlmError['code'], retryable: boolean): void {
  expect(error).toBeInstanceOf(LlmError);
  expect((error as LlmError).code).toBe(code);
  expect((error as LlmError).retryable).toBe(retryable);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('streamQuestion', () => {
  it('yields the deltas in order and reports usage with its cost', async () => {
    fake.script({ kind: 'stream', deltas: ['How would ', 'you index ', 'that table?'], usage: { prompt_tokens: 120, completion_tokens: 9 } });
    const usages: Usage[] = [];
    const { tokens, error } = await drain(interviewer().streamQuestion(question, { onUsage: (u) => usages.push(u) }));
    expect(error).toBeUndefined();
    expect(tokens).toEqual(['How would ', 'you index ', 'that table?']);
    expect(usages).toEqual([usageOf('gpt-4o-mini', 120, 9, { 'gpt-4o-mini': { inputPer1M: 0.15, outputPer1M: 0.6 } })]);
    expect(usages[0]!.costUsd).toBeCloseTo((120 * 0.15 + 9 * 0.6) / 1e6, 12);
  });

  it('sends a system prompt for the phase and skill, the history as assistant/user turns, and asks for usage', async () => {
    fake.script({ kind: 'stream', deltas: ['Q?'] });
    await drain(interviewer().streamQuestion(question));
    const body = fake.requests[0]!.body;
    expect(body.model).toBe('gpt-4o-mini');
    expect(body.stream).toBe(true);
    expect(body.stream_options).toEqual({ include_usage: true });
    const [system, ...rest] = body.messages!;
    expect(system!.role).toBe('system');
    expect(system!.content).toContain('Backend Engineer');
    expect(system!.content).toContain('Databases');
    expect(system!.content).toMatch(/ONE question/);
    expect(rest).toEqual([
      { role: 'assistant', content: 'Tell me about a service you built.' },
      { role: 'user', content: 'I built a payments API on Postgres.' },
    ]);
  });

  it('does not buffer: the first delta arrives before the stream finishes', async () => {
    fake.script({ kind: 'stream', deltas: ['a', 'b', 'c'], delayMs: 150 });
    const started = Date.now();
    const it = interviewer({ timeoutMs: 1000 }).streamQuestion(question)[Symbol.asyncIterator]();
    const first = await it.next();
    const firstAt = Date.now() - started;
    expect(first.value).toBe('a');
    while (!(await it.next()).done);
    expect(firstAt).toBeLessThan(Date.now() - started - 200);
  });

  it('retries a 429 before the first token and the caller sees one clean question', async () => {
    fake.script(
      { kind: 'status', status: 429, headers: { 'retry-after-ms': '10', 'retry-after': '1' }, message: 'Rate limit reached' },
      { kind: 'stream', deltas: ['What is ', 'an index?'] },
    );
    const started = Date.now();
    const { tokens, error } = await drain(interviewer({ maxRetries: 2 }).streamQuestion(question));
    expect(error).toBeUndefined();
    expect(tokens.join('')).toBe('What is an index?');
    expect(fake.requests).toHaveLength(2);
    // retry-after-ms (10 ms) wins over retry-after (1 s).
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('gives up on a persistent 429 with a retryable LLM_UNAVAILABLE after maxRetries', async () => {
    const limited = { kind: 'status', status: 429, headers: { 'retry-after-ms': '10' } } as const;
    fake.script(limited, limited, limited);
    const { tokens, error } = await drain(interviewer({ maxRetries: 2 }).streamQuestion(question));
    expect(tokens).toEqual([]);
    expectLlmError(error, 'LLM_UNAVAILABLE', true);
    expect(fake.requests).toHaveLength(3);
  });

  it('opens the breaker after N consecutive 500s; the next call fails fast with LLM_UNAVAILABLE without a request', async () => {
    const states: string[] = [];
    const llm = interviewer({ onBreakerStateChange: (s) => states.push(s) });
    fake.fallback = { kind: 'status', status: 500 };
    for (let i = 0; i < 3; i++) {
      const { error } = await drain(llm.streamQuestion(question));
      expectLlmError(error, 'LLM_UNAVAILABLE', true);
    }
    expect(fake.requests).toHaveLength(3);
    expect(llm.breakerState()).toBe('open');

    const started = Date.now();
    const { error } = await drain(llm.streamQuestion(question));
    expectLlmError(error, 'LLM_UNAVAILABLE', true);
    expect((error as Error).message).toMatch(/circuit open/);
    expect(Date.now() - started).toBeLessThan(50);
    await expect(llm.scoreAnswer(scoreReq)).rejects.toMatchObject({ code: 'LLM_UNAVAILABLE' });
    expect(fake.requests).toHaveLength(3);
    expect(states).toEqual(['open']);
  });

  it('half-opens after the delay and closes after a successful probe', async () => {
    const states: string[] = [];
    const llm = interviewer({ onBreakerStateChange: (s) => states.push(s) });
    fake.script({ kind: 'status', status: 500 }, { kind: 'status', status: 503 }, { kind: 'status', status: 502 });
    for (let i = 0; i < 3; i++) await drain(llm.streamQuestion(question));
    expect(llm.breakerState()).toBe('open');

    await sleep(200);
    fake.script({ kind: 'stream', deltas: ['Back ', 'again?'] });
    const { tokens, error } = await drain(llm.streamQuestion(question));
    expect(error).toBeUndefined();
    expect(tokens.join('')).toBe('Back again?');
    expect(llm.breakerState()).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it('re-opens when the half-open probe fails', async () => {
    const llm = interviewer();
    fake.fallback = { kind: 'status', status: 500 };
    for (let i = 0; i < 3; i++) await drain(llm.streamQuestion(question));
    await sleep(200);
    const { error } = await drain(llm.streamQuestion(question));
    expectLlmError(error, 'LLM_UNAVAILABLE', true);
    expect(fake.requests).toHaveLength(4);
    expect(llm.breakerState()).toBe('open');
  });

  it('times out a hung request as LLM_TIMEOUT', async () => {
    fake.script({ kind: 'hang' });
    const started = Date.now();
    const { tokens, error } = await drain(interviewer().streamQuestion(question));
    expect(tokens).toEqual([]);
    expectLlmError(error, 'LLM_TIMEOUT', true);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(fake.requests).toHaveLength(1);
  });

  it('times out a stream that stalls before its first token as LLM_TIMEOUT', async () => {
    fake.script({ kind: 'stream', deltas: ['never sent'], stallAfter: 0 });
    const { tokens, error } = await drain(interviewer().streamQuestion(question));
    expect(tokens).toEqual([]);
    expectLlmError(error, 'LLM_TIMEOUT', true);
  });

  it('a stream that stalls after tokens rejects with LLM_STREAM_CUT (idle timeout)', async () => {
    fake.script({ kind: 'stream', deltas: ['Describe ', 'never sent'], stallAfter: 1 });
    const { tokens, error } = await drain(interviewer().streamQuestion(question));
    expect(tokens).toEqual(['Describe ']);
    expectLlmError(error, 'LLM_STREAM_CUT', true);
    expect(fake.requests).toHaveLength(1);
  });

  it('a connection cut mid-stream rejects with LLM_STREAM_CUT after the tokens already yielded, and is not retried', async () => {
    fake.script({ kind: 'stream', deltas: ['How do ', 'you shard ', 'data?'], cutAfter: 2 }, { kind: 'stream', deltas: ['DUPLICATE'] });
    const { tokens, error } = await drain(interviewer({ maxRetries: 3 }).streamQuestion(question));
    expect(tokens).toEqual(['How do ', 'you shard ']);
    expectLlmError(error, 'LLM_STREAM_CUT', true);
    expect(fake.requests).toHaveLength(1);
  });

  it('counts cut streams as breaker failures', async () => {
    const llm = interviewer();
    fake.fallback = { kind: 'stream', deltas: ['a', 'b'], cutAfter: 1 };
    for (let i = 0; i < 3; i++) await drain(llm.streamQuestion(question));
    expect(llm.breakerState()).toBe('open');
  });

  it('abort stops the stream promptly with an AbortError and is not a breaker failure', async () => {
    const llm = interviewer({ breaker: { threshold: 1, halfOpenAfterMs: 10_000 }, timeoutMs: 2000 });
    fake.script({ kind: 'stream', deltas: ['one ', 'two ', 'three ', 'four'], delayMs: 100 });
    const controller = new AbortController();
    const tokens: string[] = [];
    let caught: unknown;
    const started = Date.now();
    try {
      for await (const t of llm.streamQuestion(question, { signal: controller.signal })) {
        tokens.push(t);
        if (tokens.length === 1) setTimeout(() => controller.abort(), 20);
      }
    } catch (error) {
      caught = error;
    }
    expect(tokens).toEqual(['one ']);
    expect(isAbortError(caught)).toBe(true);
    expect(caught).not.toBeInstanceOf(LlmError);
    expect(Date.now() - started).toBeLessThan(350);
    expect(llm.breakerState()).toBe('closed');

    // With a threshold of 1, a counted failure would have opened the circuit.
    fake.script({ kind: 'stream', deltas: ['Still ', 'here?'] });
    const next = await drain(llm.streamQuestion(question));
    expect(next.tokens.join('')).toBe('Still here?');
  });

  it('an already aborted signal rejects with an AbortError without a request', async () => {
    const controller = new AbortController();
    controller.abort();
    const { error } = await drain(interviewer().streamQuestion(question, { signal: controller.signal }));
    expect(isAbortError(error)).toBe(true);
    await expect(interviewer().scoreAnswer(scoreReq, { signal: controller.signal })).rejects.toSatisfy(isAbortError);
    expect(fake.requests).toHaveLength(0);
  });

  it('breaking out of the loop closes the stream and leaves the breaker closed', async () => {
    const llm = interviewer({ breaker: { threshold: 1, halfOpenAfterMs: 10_000 } });
    fake.script({ kind: 'stream', deltas: ['a', 'b', 'c'], delayMs: 30 });
    for await (const t of llm.streamQuestion(question)) {
      expect(t).toBe('a');
      break;
    }
    expect(llm.breakerState()).toBe('closed');
  });

  it('a 400 is not retryable and not a breaker failure', async () => {
    const llm = interviewer({ maxRetries: 2, breaker: { threshold: 1, halfOpenAfterMs: 10_000 } });
    fake.script({ kind: 'status', status: 400, message: 'context_length_exceeded' });
    const { error } = await drain(llm.streamQuestion(question));
    expectLlmError(error, 'LLM_UNAVAILABLE', false);
    expect(fake.requests).toHaveLength(1);
    expect(llm.breakerState()).toBe('closed');
  });
});

describe('scoreAnswer', () => {
  it('parses a valid JSON assessment, asks for a json_schema response and reports usage', async () => {
    fake.script({ kind: 'completion', content: '{"score": 7.5, "rationale": "Knows concurrent index builds."}', usage: { prompt_tokens: 200, completion_tokens: 20 } });
    const usages: Usage[] = [];
    const result = await interviewer().scoreAnswer(scoreReq, { onUsage: (u) => usages.push(u) });
    expect(result).toEqual({ score: 7.5, rationale: 'Knows concurrent index builds.' });
    const body = fake.requests[0]!.body;
    expect(body.stream).toBeUndefined();
    expect(body.response_format?.type).toBe('json_schema');
    expect(body.response_format?.json_schema?.name).toBe('answer_assessment');
    expect(body.messages?.[1]?.content).toContain(scoreReq.answer);
    expect(usages).toHaveLength(1);
    expect(usages[0]).toMatchObject({ model: 'gpt-4o-mini', inputTokens: 200, outputTokens: 20 });
  });

  it('repairs invalid JSON once', async () => {
    fake.script({ kind: 'completion', content: 'Score: 7 — good answer' }, { kind: 'completion', content: '{"score": 7, "rationale": "Good."}' });
    const usages: Usage[] = [];
    await expect(interviewer().scoreAnswer(scoreReq, { onUsage: (u) => usages.push(u) })).resolves.toEqual({ score: 7, rationale: 'Good.' });
    expect(fake.requests).toHaveLength(2);
    const repair = fake.requests[1]!.body.messages!;
    expect(repair.at(-2)).toEqual({ role: 'assistant', content: 'Score: 7 — good answer' });
    expect(repair.at(-1)?.content).toMatch(/not valid JSON/);
    expect(usages).toHaveLength(2);
  });

  it('fails with LLM_BAD_OUTPUT on persistent garbage', async () => {
    fake.script({ kind: 'completion', content: 'nope' }, { kind: 'completion', content: '{"score": "high"}' });
    const error = await interviewer().scoreAnswer(scoreReq).catch((e: unknown) => e);
    expectLlmError(error, 'LLM_BAD_OUTPUT', false);
    expect(fake.requests).toHaveLength(2);
  });

  it('treats an out-of-range score as invalid instead of clamping it', async () => {
    fake.script({ kind: 'completion', content: '{"score": 11, "rationale": "Great."}' }, { kind: 'completion', content: '{"score": -1, "rationale": "Bad."}' });
    const error = await interviewer().scoreAnswer(scoreReq).catch((e: unknown) => e);
    expectLlmError(error, 'LLM_BAD_OUTPUT', false);
    expect(fake.requests[1]!.body.messages!.at(-1)?.content).toMatch(/score/);
  });

  it('bad output is not a breaker failure', async () => {
    const llm = interviewer({ breaker: { threshold: 1, halfOpenAfterMs: 10_000 } });
    fake.script({ kind: 'completion', content: 'x' }, { kind: 'completion', content: 'y' });
    await expect(llm.scoreAnswer(scoreReq)).rejects.toMatchObject({ code: 'LLM_BAD_OUTPUT' });
    expect(llm.breakerState()).toBe('closed');
  });

  it('times out a hung request as LLM_TIMEOUT', async () => {
    fake.script({ kind: 'hang' });
    const error = await interviewer().scoreAnswer(scoreReq).catch((e: unknown) => e);
    expectLlmError(error, 'LLM_TIMEOUT', true);
  });

  it('an abort mid-request rejects with an AbortError and is not a breaker failure', async () => {
    const llm = interviewer({ breaker: { threshold: 1, halfOpenAfterMs: 10_000 }, timeoutMs: 2000 });
    fake.script({ kind: 'hang' });
    const error = await llm.scoreAnswer(scoreReq, { signal: AbortSignal.timeout(50) }).catch((e: unknown) => e);
    expect(isAbortError(error)).toBe(true);
    expect(llm.breakerState()).toBe('closed');
  });
});

describe('evaluate', () => {
  const request = {
    role,
    transcript: question.history,
    scores: [{ number: 1, phase: 'warmup' as const, skill: 'databases', score: 7 }],
  };

  it('parses a valid evaluation', async () => {
    fake.script({ kind: 'completion', content: JSON.stringify(evaluation) });
    await expect(interviewer().evaluate(request)).resolves.toEqual(evaluation);
    const body = fake.requests[0]!.body;
    expect(body.response_format?.json_schema?.name).toBe('interview_evaluation');
    expect(body.messages?.[1]?.content).toContain('payments API');
  });

  it('repairs an invalid evaluation once', async () => {
    fake.script({ kind: 'completion', content: JSON.stringify({ ...evaluation, overall: 'good' }) }, { kind: 'completion', content: JSON.stringify(evaluation) });
    await expect(interviewer().evaluate(request)).resolves.toEqual(evaluation);
    expect(fake.requests[1]!.body.messages!.at(-1)?.content).toMatch(/overall/);
  });

  it('fails with LLM_BAD_OUTPUT on persistent garbage', async () => {
    fake.script({ kind: 'completion', content: '{' }, { kind: 'completion', content: '[]' });
    const error = await interviewer().evaluate(request).catch((e: unknown) => e);
    expectLlmError(error, 'LLM_BAD_OUTPUT', false);
    expect(fake.requests).toHaveLength(2);
  });
});

describe('pricing', () => {
  it('prices dated snapshots like their family and honours overrides', () => {
    const llm = interviewer({ model: 'gpt-4o-mini-2024-07-18' });
    expect(llm.name).toBe('openai:gpt-4o-mini-2024-07-18');
    expect(usageOf('gpt-4o-mini-2024-07-18', 1_000_000, 0, { 'gpt-4o-mini': { inputPer1M: 0.15, outputPer1M: 0.6 } }).costUsd).toBeCloseTo(0.15);
    expect(usageOf('my-local-model', 1000, 1000, {}).costUsd).toBe(0);
  });

  it('uses the pricing override for reported usage', async () => {
    fake.script({ kind: 'completion', content: '{"score": 5, "rationale": "Fine."}', usage: { prompt_tokens: 1_000_000, completion_tokens: 1_000_000 } });
    const usages: Usage[] = [];
    await interviewer({ pricing: { 'gpt-4o-mini': { inputPer1M: 1, outputPer1M: 2 } } }).scoreAnswer(scoreReq, { onUsage: (u) => usages.push(u) });
    expect(usages[0]!.costUsd).toBeCloseTo(3);
  });
});
