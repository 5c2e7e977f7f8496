import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CONTEXT_TOKENS,
  MESSAGE_OVERHEAD_TOKENS,
  REPLY_PRIMING_TOKENS,
  TRUNCATION_MARK,
  buildContext,
  contextWindowFor,
  countChatTokens,
  countTextTokens,
} from '../../src/llm/context.js';
import type { TranscriptEntry } from '../../src/llm/port.js';

const systemPrompt = 'You are an expert interviewer.';

/** n alternating turns, each `words` words long, numbered so they are distinguishable. */
function turns(n: number, words = 20): TranscriptEntry[] {
  return Array.from({ length: n }, (_, i) => ({
    role: i % 2 === 0 ? 'interviewer' : 'candidate',
    text: `message ${i}: ${Array.from({ length: words }, (_, w) => `word${w}`).join(' ')}`,
  }));
}

describe('token counting', () => {
  it('counts with the o200k tokenizer, not chars/4', () => {
    const text = 'Schrödinger’s cat 🐈 — 量子 superposition.';
    expect(countTextTokens(text)).toBe(encode(text).length);
    expect(countTextTokens('a'.repeat(400))).not.toBe(100);
    expect(countChatTokens([{ role: 'user', content: text }])).toBe(encode(text).length + MESSAGE_OVERHEAD_TOKENS + REPLY_PRIMING_TOKENS);
  });

  it('knows the context windows of common models, with a 128k default', () => {
    expect(contextWindowFor('gpt-4o-mini')).toBe(128_000);
    expect(contextWindowFor('gpt-4o-mini-2024-07-18')).toBe(128_000);
    expect(contextWindowFor('gpt-4.1-mini')).toBe(1_047_576);
    expect(contextWindowFor('some-local-model')).toBe(DEFAULT_CONTEXT_TOKENS);
    expect(DEFAULT_CONTEXT_TOKENS).toBe(128_000);
  });
});

describe('buildContext', () => {
  it('keeps the whole history when it fits in 80 % of the window', () => {
    const history = turns(14, 5);
    const ctx = buildContext({ systemPrompt, history, maxContextTokens: 128_000 });
    expect(ctx.trimmed).toBe(false);
    expect(ctx.budget).toBe(102_400);
    expect(ctx.messages).toHaveLength(15);
    expect(ctx.messages[0]).toEqual({ role: 'system', content: systemPrompt });
    expect(ctx.messages.slice(1).map((m) => m.role)).toEqual(history.map((e) => (e.role === 'interviewer' ? 'assistant' : 'user')));
    expect(ctx.tokens).toBe(countChatTokens(ctx.messages));
  });

  it('over budget, keeps the system prompt and the last 10 messages', () => {
    const history = turns(30);
    const all = countChatTokens([{ role: 'system', content: systemPrompt }, ...history.map((e) => ({ role: 'user' as const, content: e.text }))]);
    const lastTen = countChatTokens([{ role: 'system', content: systemPrompt }, ...history.slice(-10).map((e) => ({ role: 'user' as const, content: e.text }))]);
    // A tiny window: the last ten fit in 80 % of it, the whole history does not.
    const maxContextTokens = Math.ceil(lastTen / 0.8) + 5;
    expect(all).toBeGreaterThan(maxContextTokens * 0.8);

    const ctx = buildContext({ systemPrompt, history, maxContextTokens });
    expect(ctx.trimmed).toBe(true);
    expect(ctx.messages[0]).toEqual({ role: 'system', content: systemPrompt });
    expect(ctx.history).toEqual(history.slice(-10));
    expect(ctx.messages.slice(1).map((m) => m.content)).toEqual(history.slice(-10).map((e) => e.text));
    expect(ctx.tokens).toBe(countChatTokens(ctx.messages));
    expect(ctx.tokens).toBeLessThanOrEqual(Math.floor(maxContextTokens * 0.8));
  });

  it('honours budgetRatio and keepLast', () => {
    const history = turns(12);
    const ctx = buildContext({ systemPrompt, history, maxContextTokens: 600, budgetRatio: 0.5, keepLast: 4 });
    expect(ctx.budget).toBe(300);
    expect(ctx.history.length).toBeLessThanOrEqual(4);
    expect(ctx.tokens).toBeLessThanOrEqual(300);
  });

  it('when even the last 10 are over budget, truncates the oldest of them and keeps the newest intact', () => {
    const history = turns(30, 40);
    const maxContextTokens = 500; // budget 400: far below ten 40-word messages
    const ctx = buildContext({ systemPrompt, history, maxContextTokens });
    expect(ctx.tokens).toBe(countChatTokens(ctx.messages));
    expect(ctx.tokens).toBeLessThanOrEqual(400);
    expect(ctx.messages[0]!.content).toBe(systemPrompt);
    const kept = ctx.history;
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(10);
    // The newest entries are untouched; only the oldest kept one may be cut (from its front).
    expect(kept.slice(1)).toEqual(history.slice(history.length - kept.length + 1));
    const oldest = kept[0]!;
    const original = history[history.length - kept.length]!;
    expect(oldest.text.startsWith(TRUNCATION_MARK)).toBe(true);
    expect(original.text.endsWith(oldest.text.slice(TRUNCATION_MARK.length))).toBe(true);
  });

  it('cuts the single newest message from the front when nothing else fits', () => {
    const history: TranscriptEntry[] = [{ role: 'candidate', text: Array.from({ length: 200 }, (_, i) => `w${i}`).join(' ') }];
    const ctx = buildContext({ systemPrompt, history, maxContextTokens: 100 });
    expect(ctx.tokens).toBeLessThanOrEqual(80);
    expect(ctx.history).toHaveLength(1);
    expect(ctx.history[0]!.text.startsWith(TRUNCATION_MARK)).toBe(true);
    expect(ctx.history[0]!.text.endsWith('w199')).toBe(true);
  });

  it('throws a RangeError when the system prompt alone is over budget', () => {
    expect(() => buildContext({ systemPrompt: 'word '.repeat(100), history: [], maxContextTokens: 50 })).toThrow(RangeError);
  });
});
