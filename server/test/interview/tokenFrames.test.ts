import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { questionTexts } from '../../../shared/sessionView.js';
import { TokenFrames } from '../../src/interview/tokenFrames.js';
import { TestCandidate } from '../support/candidate.js';
import { TestRecruiter } from '../support/recruiter.js';
import { startTestServer, type TestServer } from '../support/server.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('token frames', () => {
  it('a delta after a quiet interval goes out at once; a burst waits at most one frame and goes out as one event', async () => {
    const out: Array<{ text: string; at: number }> = [];
    const held: number[] = [];
    const frames = new TokenFrames(30, (text) => out.push({ text, at: performance.now() }), (ms) => held.push(ms));
    const t0 = performance.now();
    frames.push('Hello');
    expect(out.map((o) => o.text)).toEqual(['Hello']);
    frames.push(' there,');
    frames.push(' how');
    frames.push(' are');
    expect(out).toHaveLength(1);
    await sleep(100);
    expect(out.map((o) => o.text)).toEqual(['Hello', ' there, how are']);
    expect(out[1]!.at - t0).toBeLessThan(30 + 25);
    expect(held[0]).toBeLessThanOrEqual(30 + 25);
    // Slower than the frame: every delta on its own, at once.
    frames.push(' you');
    expect(out.at(-1)!.text).toBe(' you');
    await sleep(50);
    frames.push('?');
    expect(out.map((o) => o.text)).toEqual(['Hello', ' there, how are', ' you', '?']);
  });

  it('flush sends what is held at the end of a question; cancel drops it', () => {
    const out: string[] = [];
    const frames = new TokenFrames(1_000, (text) => out.push(text));
    frames.push('a');
    frames.push('b');
    frames.push('c');
    frames.flush();
    expect(out).toEqual(['a', 'bc']);
    frames.push('d');
    frames.cancel();
    expect(out).toEqual(['a', 'bc']);
  });

  it('0 turns frames off: one event per delta', () => {
    const out: string[] = [];
    const frames = new TokenFrames(0, (text) => out.push(text));
    for (const d of ['a', 'b', 'c']) frames.push(d);
    expect(out).toEqual(['a', 'b', 'c']);
  });
});

describe('a fast interviewer with token frames on', () => {
  let server: TestServer;
  beforeAll(async () => {
    // Deltas as fast as the interviewer makes them, merged per 20 ms frame.
    server = await startTestServer({ TOKEN_FRAME_MS: '20', SCRIPTED_TOKEN_DELAY_MS: '1' });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('streams each question in fewer events, gap-free, with the exact stored text, to the candidate and a watcher', async () => {
    const candidate = await TestCandidate.create(server.url);
    const recruiter = await TestRecruiter.connect(server.url, server.config.recruiterToken);
    await candidate.connect();
    await recruiter.watch(candidate.created.sessionId);
    await candidate.start();
    for (let i = 0; i < 3; i++) {
      await candidate.awaitingAnswer();
      await candidate.answer('I would measure first, then cache the hottest read path behind an idempotent writer.', `a-${i}`);
      await candidate.nextQuestion(`a-${i}`);
    }
    const stored = await server.service.require(candidate.clientSessionId);
    const questions = stored.messages.filter((m) => m.role === 'interviewer');
    expect(questions).toHaveLength(4);
    let events = 0;
    let words = 0;
    for (const question of questions) {
      const tokens = candidate.tokens.filter((t) => t.questionId === question.id);
      expect(tokens.map((t) => t.index)).toEqual(tokens.map((_, i) => i));
      expect(tokens.map((t) => t.text).join('')).toBe(question.text);
      events += tokens.length;
      words += question.text.split(' ').length;
    }
    // The scripted interviewer yields about one delta per word; frames merge them.
    expect(events).toBeLessThan(words / 2);
    expect(candidate.view.gaps).toBe(0);
    await recruiter.until((v) => v.messages.length === stored.messages.length, 5_000, 'watcher caught up');
    expect(questionTexts(recruiter.view)).toEqual(questions.map((q) => q.text));
    expect(recruiter.view.gaps).toBe(0);
    candidate.disconnect();
    recruiter.close();
  });
});
