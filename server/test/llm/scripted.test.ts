import { afterEach, describe, expect, it, vi } from 'vitest';
import { evaluationResultSchema } from '../../../shared/interview.js';
import type { Difficulty, Phase } from '../../../shared/plan.js';
import { findRole, ROLES } from '../../src/interview/roles.js';
import type { EvaluationRequest, QuestionRequest, RoleProfile, TranscriptEntry } from '../../src/llm/port.js';
import { BANKS, bankFor, ScriptedInterviewer } from '../../src/llm/scripted/index.js';
import { salientPhrase, tokenize } from '../../src/llm/scripted/text.js';

const backend = findRole('backend-engineer')!;

function request(overrides: Partial<QuestionRequest> = {}): QuestionRequest {
  return {
    sessionKey: 'session-1',
    role: backend,
    number: 1,
    phase: 'warmup',
    difficulty: 1,
    skill: 'api-design',
    history: [],
    ...overrides,
  };
}

async function collect(iterable: AsyncIterable<string>): Promise<string[]> {
  const tokens: string[] = [];
  for await (const token of iterable) tokens.push(token);
  return tokens;
}

const instant = (): ScriptedInterviewer => new ScriptedInterviewer({ tokenDelayMs: 0 });

/** The plan's shape of a 20-question interview: warm-up, standard, advanced. */
function schedule(role: RoleProfile): Array<{ number: number; phase: Phase; difficulty: Difficulty; skill: string }> {
  return Array.from({ length: 20 }, (_, i) => {
    const phase: Phase = i < 2 ? 'warmup' : i < 8 ? 'standard' : 'advanced';
    const difficulty = (phase === 'warmup' ? 1 : phase === 'standard' ? 2 + (i % 2) : 4 + (i % 2)) as Difficulty;
    return { number: i + 1, phase, difficulty, skill: role.skills[i % 2]!.id };
  });
}

const DETAILED =
  'At my last company I designed the payments API. First, every POST carried an idempotency key, because mobile clients ' +
  'retry after timeouts; we stored the key with the response in PostgreSQL under a unique constraint, so a retry returns ' +
  'the same result instead of charging twice. Then we added cursor pagination and versioned the endpoint contract in ' +
  'OpenAPI. The trade-off was an extra write per request, about 3 ms at p99, which we accepted. For example, during a ' +
  'Black Friday spike of 1,200 requests per second we saw zero duplicate charges.';
const VAGUE = 'I would probably think about it carefully and try to make sure it works well for the users in general.';
const DONT_KNOW = "I don't know.";

afterEach(() => {
  vi.useRealTimers();
});

describe('question banks', () => {
  it('has a hand-written bank of at least 30 questions for every role', () => {
    for (const role of ROLES) {
      const bank = BANKS.find((b) => b.roleId === role.id);
      expect(bank, role.id).toBeDefined();
      expect(bank!.questions.length, role.id).toBeGreaterThanOrEqual(30);
    }
  });

  it('covers difficulties 1 to 5 for every skill of every role, with keywords, and nothing else', () => {
    for (const role of ROLES) {
      const bank = bankFor(role);
      expect(new Set(bank.questions.map((q) => q.skill))).toEqual(new Set(role.skills.map((s) => s.id)));
      for (const { id } of role.skills) {
        const levels = new Set(bank.questions.filter((q) => q.skill === id).map((q) => q.difficulty));
        expect([...levels].sort(), `${role.id}/${id}`).toEqual([1, 2, 3, 4, 5]);
        expect(bank.keywords[id]?.length ?? 0, `${role.id}/${id}`).toBeGreaterThanOrEqual(10);
      }
    }
  });

  it('has unique ids and texts, and every question is at least 5 tokens and ends as a question or a prompt', () => {
    const all = BANKS.flatMap((b) => b.questions);
    expect(new Set(all.map((q) => q.id)).size).toBe(all.length);
    expect(new Set(all.map((q) => q.text)).size).toBe(all.length);
    for (const q of all) {
      expect(tokenize(q.text).length, q.id).toBeGreaterThanOrEqual(5);
      expect(q.text, q.id).toMatch(/[?.]$/);
    }
  });

  it('generates a bank covering every difficulty for a role it does not know', () => {
    const custom: RoleProfile = {
      id: 'ux-researcher',
      title: 'UX Researcher',
      description: 'Studies users.',
      skills: [
        { id: 'research-methods', name: 'Research methods' },
        { id: 'synthesis', name: 'Synthesis' },
      ],
    };
    const bank = bankFor(custom);
    expect(bank.questions).toHaveLength(14);
    expect(new Set(bank.questions.map((q) => q.difficulty))).toEqual(new Set([1, 2, 3, 4, 5]));
    expect(bank.questions[0]!.text).toContain('research methods');
  });
});

describe('streamQuestion', () => {
  it('streams word-ish tokens that concatenate exactly to the composed question', async () => {
    const interviewer = instant();
    for (const role of ROLES) {
      for (const step of schedule(role).slice(0, 6)) {
        const req = request({ role, ...step, history: [{ role: 'interviewer', text: 'Earlier?' }, { role: 'candidate', text: DETAILED }] });
        const expected = interviewer.composeQuestion(req).text;
        const tokens = await collect(interviewer.streamQuestion(req));
        expect(tokens.join('')).toBe(expected);
        expect(tokens.length).toBeGreaterThanOrEqual(5);
        expect(tokens.every((t) => t.trim().length > 0)).toBe(true);
      }
    }
  });

  it('asks a question of the requested skill and difficulty when one is available', () => {
    const { question } = instant().composeQuestion(request({ phase: 'advanced', difficulty: 4, skill: 'concurrency', number: 9 }));
    expect(question).toMatchObject({ skill: 'concurrency', difficulty: 4 });
  });

  it.each(ROLES.map((r) => [r.id, r] as const))('never repeats a question over a 20-question %s interview', async (_id, role) => {
    for (const trim of [Infinity, 10]) {
      const interviewer = instant();
      const history: TranscriptEntry[] = [];
      const asked: string[] = [];
      for (const step of schedule(role)) {
        const req = request({ sessionKey: `s-${role.id}-${trim}`, role, ...step, history: history.slice(-trim) });
        const { question } = interviewer.composeQuestion(req);
        const text = (await collect(interviewer.streamQuestion(req))).join('');
        asked.push(question.id);
        history.push({ role: 'interviewer', text }, { role: 'candidate', text: VAGUE });
      }
      expect(new Set(asked).size).toBe(20);
    }
  });

  it('recognises earlier questions from the full history alone (another replica, empty memory)', async () => {
    const history: TranscriptEntry[] = [];
    const asked: string[] = [];
    for (const step of schedule(backend)) {
      const req = request({ ...step, history: [...history] });
      const interviewer = instant(); // a fresh instance per question
      asked.push(interviewer.composeQuestion(req).question.id);
      history.push({ role: 'interviewer', text: (await collect(interviewer.streamQuestion(req))).join('') }, { role: 'candidate', text: DETAILED });
    }
    expect(new Set(asked).size).toBe(20);
  });

  it('is deterministic for (sessionKey, number) and varies between sessions', async () => {
    const texts = async (sessionKey: string): Promise<string[]> => {
      const interviewer = instant();
      const out: string[] = [];
      for (const step of schedule(backend).slice(0, 8)) out.push((await collect(interviewer.streamQuestion(request({ sessionKey, ...step })))).join(''));
      return out;
    };
    expect(await texts('alpha')).toEqual(await texts('alpha'));
    const sessions = await Promise.all(['a', 'b', 'c', 'd', 'e'].map(texts));
    expect(new Set(sessions.map((s) => s.join('|'))).size).toBeGreaterThan(1);
  });

  it('regenerating the same question number yields the same question', () => {
    const interviewer = instant();
    const req = request({ number: 3, phase: 'standard', difficulty: 2 });
    expect(interviewer.composeQuestion(req)).toEqual(interviewer.composeQuestion(req));
  });

  it('keeps the conversational opener on the first question only', () => {
    const interviewer = instant();
    const first = interviewer.composeQuestion(request({ number: 1, skill: 'api-design' }));
    expect(first.text).toBe(first.question.text);
    expect(first.text.startsWith('To get us started, tell me')).toBe(true);
    const later = instant().composeQuestion(
      request({ sessionKey: 'other', number: 2, skill: 'api-design', history: [{ role: 'interviewer', text: 'Hi?' }, { role: 'candidate', text: VAGUE }] }),
    );
    expect(later.text).not.toMatch(/To get us started/);
    expect(later.text).toContain('Tell me about an API or service you built');
  });
});

describe('follow-ups', () => {
  const previous = 'How do you choose timeouts and retry policies when one service calls another?';
  const follow = (answer: string, skill = 'reliability', number = 6): string =>
    instant().composeQuestion(
      request({
        number,
        phase: 'standard',
        difficulty: 2,
        skill,
        history: [
          { role: 'interviewer', text: previous },
          { role: 'candidate', text: answer },
        ],
      }),
    ).text;
  const quoted = (text: string): string | undefined => /“([^”]+)”/.exec(text)?.[1];

  it.each([
    'We added exponential backoff with jitter and a circuit breaker around the billing client, because retries were amplifying outages.',
    'Mostly I rely on Grafana dashboards and the p99 numbers; we page when they cross the budget.',
    'I think the key is to keep the retry budget small so that one slow dependency cannot take everything else down with it.',
    'Ich würde zuerst die Logs prüfen und dann die Timeouts anpassen, weil das am schnellsten hilft.',
  ])('quotes a phrase the candidate actually wrote: %s', (answer) => {
    const text = follow(answer);
    const phrase = quoted(text);
    expect(phrase).toBeDefined();
    expect(answer).toContain(phrase);
    expect(phrase!.split(/\s+/).length).toBeLessThanOrEqual(4);
  });

  it('follows up on a short answer when the plan stays on the same skill', () => {
    const text = follow('Exponential backoff.', 'reliability');
    expect(quoted(text)).toBe('Exponential backoff');
    expect(text).toMatch(/Feel free to go into more detail/);
  });

  it('does not quote a short answer when the topic changes, but still moves on politely', () => {
    const text = follow('ok sure', 'api-design');
    expect(quoted(text)).toBeUndefined();
    expect(text).toMatch(/API design/);
  });

  it('names the next skill mid-sentence without mangling its case', () => {
    const frontend = findRole('frontend-engineer')!;
    const text = instant().composeQuestion(
      request({
        role: frontend,
        number: 5,
        phase: 'standard',
        difficulty: 2,
        skill: 'javascript',
        history: [
          { role: 'interviewer', text: 'What are the Core Web Vitals, and which one have you found hardest to improve?' },
          { role: 'candidate', text: 'LCP, mostly.' },
        ],
      }),
    ).text;
    expect(text).toMatch(/JavaScript & TypeScript/);
  });

  it('acknowledges "I don\'t know" without quoting it', () => {
    const text = follow("Honestly, I don't know.");
    expect(quoted(text)).toBeUndefined();
    expect(text).toMatch(/fine|honest|tricky/i);
  });

  it('handles empty-ish and non-Latin answers gracefully', () => {
    expect(quoted(follow('...'))).toBeUndefined();
    expect(follow('...')).toMatch(/^(Let's|Building|Staying)/);
    const chinese = follow('我认为应该先检查日志，然后调整超时设置，因为这样最快。');
    expect(quoted(chinese)).toBeUndefined();
    expect(chinese).toMatch(/continue in English/);
  });

  it('picks salient phrases: keywords in context, then distinctive terms, then content words', () => {
    expect(salientPhrase('We used a composite index on the orders table.', ['index'])).toBe('composite index');
    expect(salientPhrase('Honestly we just used Kafka for that.', [])).toBe('Kafka');
    expect(salientPhrase('I would gather feedback from frontline support staff.', [])).toBe('frontline support staff');
    expect(salientPhrase('We grew weekly active teams. For example it helped.', [])).not.toMatch(/For/);
    expect(salientPhrase('yes', [])).toBeNull();
    expect(salientPhrase('', [])).toBeNull();
  });
});

describe('streaming pace and abort', () => {
  it('uses no timers at all when tokenDelayMs is 0', async () => {
    vi.useFakeTimers();
    const tokens = await collect(instant().streamQuestion(request()));
    expect(tokens.length).toBeGreaterThanOrEqual(5);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('delivers the first token at once and each later token only after its delay, in order', async () => {
    vi.useFakeTimers();
    const interviewer = new ScriptedInterviewer({ tokenDelayMs: 40 });
    const expected = tokenize(interviewer.composeQuestion(request()).text);
    const iterator = interviewer.streamQuestion(request())[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toBe(expected[0]);
    let second: IteratorResult<string> | undefined;
    void iterator.next().then((r) => (second = r));
    await vi.advanceTimersByTimeAsync(20); // below the minimum jittered delay (40 ms ± 30 %)
    expect(second).toBeUndefined();
    await vi.advanceTimersByTimeAsync(200);
    expect(second?.value).toBe(expected[1]);
    const rest: string[] = [];
    for (;;) {
      const next = iterator.next();
      await vi.advanceTimersByTimeAsync(200);
      const r = await next;
      if (r.done) break;
      rest.push(r.value);
    }
    expect([expected[0], expected[1], ...rest]).toEqual(expected);
  });

  it('stops promptly on abort: rejects with an AbortError within ~100 ms and yields nothing more', async () => {
    const interviewer = new ScriptedInterviewer({ tokenDelayMs: 50 });
    const controller = new AbortController();
    const tokens: string[] = [];
    let abortedAt = 0;
    const started = (async () => {
      for await (const token of interviewer.streamQuestion(request(), { signal: controller.signal })) {
        tokens.push(token);
        if (tokens.length === 2) {
          abortedAt = performance.now();
          controller.abort();
        }
      }
    })();
    const error = await started.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('AbortError');
    expect(performance.now() - abortedAt).toBeLessThan(100);
    expect(tokens).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 120));
    expect(tokens).toHaveLength(2);
  });

  it('aborts during the delay between tokens and reports the reason as the cause', async () => {
    const interviewer = new ScriptedInterviewer({ tokenDelayMs: 1000 });
    const controller = new AbortController();
    const iterator = interviewer.streamQuestion(request(), { signal: controller.signal })[Symbol.asyncIterator]();
    await iterator.next();
    const pending = iterator.next();
    const reason = new Error('client disconnected');
    const t0 = performance.now();
    controller.abort(reason);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError', cause: reason });
    expect(performance.now() - t0).toBeLessThan(100);
  });

  it('rejects at once when the signal is already aborted', async () => {
    await expect(collect(instant().streamQuestion(request(), { signal: AbortSignal.abort() }))).rejects.toMatchObject({ name: 'AbortError' });
    await expect(instant().scoreAnswer({ role: backend, phase: 'standard', difficulty: 2, skill: 'api-design', question: 'Q?', answer: 'A' }, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('rejects invalid pacing options', () => {
    expect(() => new ScriptedInterviewer({ tokenDelayMs: -1 })).toThrow(RangeError);
    expect(() => new ScriptedInterviewer({ tokenDelayMs: Number.NaN })).toThrow(RangeError);
    expect(() => new ScriptedInterviewer({ jitter: 2 })).toThrow(RangeError);
  });
});

describe('scoreAnswer', () => {
  const score = (answer: string, skill = 'api-design', difficulty: Difficulty = 3, role = backend) =>
    instant().scoreAnswer({ role, phase: 'standard', difficulty, skill, question: 'How would you design it?', answer });

  it('orders a detailed answer above a vague one above "I don\'t know"', async () => {
    const [detailed, vague, dontKnow] = await Promise.all([score(DETAILED), score(VAGUE), score(DONT_KNOW)]);
    expect(detailed.score).toBeGreaterThan(vague.score);
    expect(vague.score).toBeGreaterThan(dontKnow.score);
    expect(detailed.score).toBeGreaterThanOrEqual(8);
    expect(vague.score).toBeLessThan(5);
    expect(dontKnow.score).toBeLessThanOrEqual(1);
  });

  it.each([
    ['an empty-ish answer', '...', 0, 1],
    ['a one-word answer', 'REST', 0, 2],
    ['a repetitive answer', 'cache '.repeat(60), 0, 4],
    ['a short relevant answer', 'Use cursor pagination keyed on the id, because offsets get slow on big tables.', 3, 7],
  ])('scores %s within a sensible range', async (_case, answer, min, max) => {
    const { score: s } = await score(answer);
    expect(s).toBeGreaterThanOrEqual(min);
    expect(s).toBeLessThanOrEqual(max);
  });

  it('rewards the probed skill: a data-modeling answer scores higher for data modeling than for accessibility terms', async () => {
    const answer = 'I would add a composite index, check the query plan with EXPLAIN, and wrap the update in a transaction with the right isolation level.';
    const own = await score(answer, 'data-modeling');
    const other = await score(answer, 'accessibility', 3, findRole('frontend-engineer')!);
    expect(own.score).toBeGreaterThan(other.score);
  });

  it('returns a deterministic score in 0..10 with a one-sentence rationale', async () => {
    for (const answer of [DETAILED, VAGUE, DONT_KNOW, '', 'x']) {
      const a = await score(answer);
      expect(await score(answer)).toEqual(a);
      expect(a.score).toBeGreaterThanOrEqual(0);
      expect(a.score).toBeLessThanOrEqual(10);
      expect(a.rationale).toMatch(/^[A-Z].*\.$/);
      expect(a.rationale).not.toMatch(/\.\s+[A-Z]/);
      expect(a.rationale).not.toContain('\n');
    }
  });
});

describe('evaluate', () => {
  function interview(answer: (i: number) => string): EvaluationRequest {
    const transcript: TranscriptEntry[] = [];
    const steps = schedule(backend).slice(0, 12);
    return {
      role: backend,
      transcript,
      scores: steps.map((s, i) => {
        transcript.push({ role: 'interviewer', text: `Question ${s.number}?` }, { role: 'candidate', text: answer(i) });
        return { number: s.number, phase: s.phase, skill: s.skill, score: null };
      }),
    };
  }

  it('produces a report that parses with the evaluation schema, with evidence per skill', async () => {
    const result = await instant().evaluate(interview(() => DETAILED));
    expect(evaluationResultSchema.parse(result)).toEqual(result);
    expect(result.competencies.map((c) => c.name)).toEqual(['API design', 'Databases & data modeling']);
    for (const c of result.competencies) expect(c.evidence?.length ?? 0).toBeLessThan(300);
    expect(result.summary).toMatch(/Backend Engineer/);
  });

  it('rates a strong candidate above a weak one, with strengths for one and concerns for the other', async () => {
    const strong = await instant().evaluate(interview(() => DETAILED));
    const weak = await instant().evaluate(interview((i) => (i % 2 ? DONT_KNOW : VAGUE)));
    expect(strong.overall).toBeGreaterThan(weak.overall);
    expect(strong.strengths.length).toBeGreaterThan(0);
    expect(weak.concerns.length).toBeGreaterThan(0);
  });

  it('uses the stored scores when present and is deterministic', async () => {
    const req = interview(() => VAGUE);
    req.scores = req.scores.map((s) => ({ ...s, score: 9 }));
    const a = await instant().evaluate(req);
    expect(a.overall).toBe(9);
    expect(await instant().evaluate(req)).toEqual(a);
  });

  it('reports an empty interview as unassessable instead of failing', async () => {
    const result = await instant().evaluate({ role: backend, transcript: [], scores: [] });
    expect(evaluationResultSchema.parse(result)).toMatchObject({ overall: 0, competencies: [] });
    expect(result.concerns.length).toBe(1);
  });

  it('reports no usage: the scripted interviewer costs nothing', async () => {
    const onUsage = vi.fn();
    const interviewer = instant();
    await collect(interviewer.streamQuestion(request(), { onUsage }));
    await interviewer.scoreAnswer({ role: backend, phase: 'warmup', difficulty: 1, skill: 'api-design', question: 'Q?', answer: VAGUE }, { onUsage });
    await interviewer.evaluate(interview(() => VAGUE), { onUsage });
    expect(onUsage).not.toHaveBeenCalled();
    expect(interviewer.name).toBe('scripted');
  });
});
