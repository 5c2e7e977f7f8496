import { decode, encode } from 'gpt-tokenizer/encoding/o200k_base';
import type { TranscriptEntry } from './port.js';

/**
 * Context budgeting (DESIGN.md, "The turn loop" step 4): the prompt sent to the
 * model stays under `budgetRatio` (80 %) of the model's context window by
 * keeping the system prompt and the last `keepLast` (10) messages.
 *
 * Pure: no I/O. Tokens are counted with o200k_base (the encoding of the gpt-4o,
 * gpt-4.1 and o-series families), shipped inside the gpt-tokenizer package, so
 * nothing is downloaded at run time.
 */

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** Context windows in tokens. Unknown models get DEFAULT_CONTEXT_TOKENS. */
export const MODEL_CONTEXT_TOKENS: Readonly<Record<string, number>> = {
  'gpt-4o-mini': 128_000,
  'gpt-4o': 128_000,
  'gpt-4.1': 1_047_576,
  'gpt-4.1-mini': 1_047_576,
  'gpt-4.1-nano': 1_047_576,
  'o4-mini': 200_000,
  'o3-mini': 200_000,
};
export const DEFAULT_CONTEXT_TOKENS = 128_000;

/** Longest table key that prefixes `model`, so dated snapshots ("gpt-4o-mini-2024-07-18") match. */
export function contextWindowFor(model: string): number {
  let best: string | undefined;
  for (const key of Object.keys(MODEL_CONTEXT_TOKENS)) {
    if ((model === key || model.startsWith(`${key}-`)) && (best === undefined || key.length > best.length)) best = key;
  }
  return best === undefined ? DEFAULT_CONTEXT_TOKENS : (MODEL_CONTEXT_TOKENS[best] ?? DEFAULT_CONTEXT_TOKENS);
}

/** Chat framing per message (role markers) and per reply priming, as OpenAI's cookbook counts them. */
export const MESSAGE_OVERHEAD_TOKENS = 4;
export const REPLY_PRIMING_TOKENS = 3;

export function countTextTokens(text: string): number {
  return encode(text).length;
}

export function countMessageTokens(message: ChatMessage): number {
  return countTextTokens(message.content) + MESSAGE_OVERHEAD_TOKENS;
}

export function countChatTokens(messages: readonly ChatMessage[]): number {
  return messages.reduce((sum, m) => sum + countMessageTokens(m), REPLY_PRIMING_TOKENS);
}

/** interviewer -> assistant, candidate -> user: the model plays the interviewer. */
export function toChatMessage(entry: TranscriptEntry): ChatMessage {
  return { role: entry.role === 'interviewer' ? 'assistant' : 'user', content: entry.text };
}

export interface BuildContextInput {
  systemPrompt: string;
  /** Oldest first. */
  history: readonly TranscriptEntry[];
  /** The model's context window (see contextWindowFor). */
  maxContextTokens: number;
  budgetRatio?: number;
  keepLast?: number;
}

export interface BuiltContext {
  /** System prompt first, then the kept history as assistant/user messages. */
  messages: ChatMessage[];
  /** The kept history (the oldest kept entry may be truncated). */
  history: TranscriptEntry[];
  /** Tokens of `messages`, framing included. */
  tokens: number;
  budget: number;
  /** Whether anything was dropped or truncated. */
  trimmed: boolean;
}

export const TRUNCATION_MARK = '…';

/**
 * Messages that fit `floor(maxContextTokens * budgetRatio)` tokens:
 * 1. everything, when it fits;
 * 2. else the system prompt and the last `keepLast` messages;
 * 3. if even that is over budget, the oldest of those are cut from the front
 *    (their newest text survives) or dropped, one by one, until it fits.
 * Throws a RangeError when the system prompt alone does not fit (a configuration error).
 */
export function buildContext(input: BuildContextInput): BuiltContext {
  const { systemPrompt, history, maxContextTokens, budgetRatio = 0.8, keepLast = 10 } = input;
  const budget = Math.floor(maxContextTokens * budgetRatio);
  const system: ChatMessage = { role: 'system', content: systemPrompt };
  const fixed = countMessageTokens(system) + REPLY_PRIMING_TOKENS;
  if (fixed > budget) {
    throw new RangeError(`system prompt needs ${fixed} tokens, over the context budget of ${budget}`);
  }

  const costs = history.map((e) => countMessageTokens(toChatMessage(e)));
  const sum = (from: number): number => costs.slice(from).reduce((a, b) => a + b, 0);

  let kept: TranscriptEntry[];
  let total: number;
  if (fixed + sum(0) <= budget) {
    kept = [...history];
    total = fixed + sum(0);
  } else {
    const start = Math.max(0, history.length - keepLast);
    kept = history.slice(start);
    total = fixed + sum(start);
    // Still over: shorten the oldest kept messages first; the newest matter most.
    while (total > budget && kept.length > 0) {
      const oldest = kept[0]!;
      const cost = countMessageTokens(toChatMessage(oldest));
      const excess = total - budget;
      const tokens = encode(oldest.text);
      // Keep the tail: +1 makes room for the truncation mark (one token in o200k_base).
      const keepTokens = tokens.length - excess - 1;
      if (keepTokens <= 0) {
        kept.shift();
        total -= cost;
        continue;
      }
      const text = TRUNCATION_MARK + decode(tokens.slice(tokens.length - keepTokens));
      const cut: TranscriptEntry = { role: oldest.role, text };
      kept[0] = cut;
      total = total - cost + countMessageTokens(toChatMessage(cut));
      // Decoding can merge differently at the cut; drop the entry if it still does not fit.
      if (total > budget) {
        kept.shift();
        total -= countMessageTokens(toChatMessage(cut));
      }
    }
  }

  const messages = [system, ...kept.map(toChatMessage)];
  return { messages, history: kept, tokens: total, budget, trimmed: kept.length !== history.length || kept[0] !== history[history.length - kept.length] };
}
