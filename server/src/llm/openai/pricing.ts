import type { Usage } from '../port.js';

/** USD per 1M tokens. */
export interface ModelPrice {
  inputPer1M: number;
  outputPer1M: number;
}

export type PricingTable = Readonly<Record<string, ModelPrice>>;

/**
 * OpenAI list prices (standard tier, USD per 1M tokens) as published when this
 * was written; override with the `pricing` option when they change. Unknown
 * models cost 0 (reported, never guessed).
 */
export const DEFAULT_PRICING: PricingTable = {
  'gpt-4o-mini': { inputPer1M: 0.15, outputPer1M: 0.6 },
  'gpt-4o': { inputPer1M: 2.5, outputPer1M: 10 },
  'gpt-4.1': { inputPer1M: 2, outputPer1M: 8 },
  'gpt-4.1-mini': { inputPer1M: 0.4, outputPer1M: 1.6 },
  'gpt-4.1-nano': { inputPer1M: 0.1, outputPer1M: 0.4 },
  'o4-mini': { inputPer1M: 1.1, outputPer1M: 4.4 },
};

/** Exact name, else the longest key that prefixes it ("gpt-4o-mini-2024-07-18" -> "gpt-4o-mini"). */
export function priceFor(model: string, table: PricingTable): ModelPrice | undefined {
  const exact = table[model];
  if (exact) return exact;
  let best: string | undefined;
  for (const key of Object.keys(table)) {
    if (model.startsWith(`${key}-`) && (best === undefined || key.length > best.length)) best = key;
  }
  return best === undefined ? undefined : table[best];
}

export function usageOf(model: string, inputTokens: number, outputTokens: number, table: PricingTable): Usage {
  const price = priceFor(model, table);
  const costUsd = price ? (inputTokens * price.inputPer1M + outputTokens * price.outputPer1M) / 1_000_000 : 0;
  return { model, inputTokens, outputTokens, costUsd };
}
