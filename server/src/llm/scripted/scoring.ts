import type { AnswerAssessment } from '../port.js';
import { countWords, isMostlyNonLatin, matchKeywords, soundsLikeDontKnow } from './text.js';

/**
 * Deterministic answer scoring, 0..10. Points (capped at 10):
 *   length      up to 4   (3+ words 0.5 … 80+ words 4)
 *   structure   up to 1   (3+ sentences; sequencing words or a list)
 *   keywords    up to 3 for the probed skill's terms, up to 1 for other role skills
 *   specifics   up to 1.5 for numbers, up to 1 for concrete examples
 *   reasoning   up to 1.5 for trade-off words (because, instead, trade-off, …)
 *   warm-up     +1.5 for an engaged (30+ words) answer: no terms are expected there
 * Penalties: "I don't know" caps a short answer at 1 (-1.5 otherwise);
 * a repetitive answer (few distinct words) loses 3.
 */

const EXAMPLE = /\b(for example|for instance|e\.g\.|such as|in my (?:last|previous|current) (?:role|job|team|company)|at my (?:last|previous|current)|last (?:year|month|quarter)|we (?:built|used|had|moved|migrated|added|shipped|ran|saw|found|reduced|switched)|i (?:built|led|wrote|designed|implemented|fixed|ran|owned|migrated|introduced|measured))\b/gi;
const TRADE_OFF = /\b(because|trade-?offs?|instead|however|but|downside|upside|on the other hand|it depends|depends on|versus|vs\.?|whereas|rather than|so that|at the cost of|risk|cost)\b/gi;
const SEQUENCE = /\b(first(?:ly)?|second(?:ly)?|third|then|next|finally|after that|step)\b/gi;
const NUMBER = /\d+(?:[.,]\d+)?\s*(?:%|ms|s\b|x\b|k\b|m\b|gb|mb|tb|rps|qps|users|requests)?/gi;

export interface AnswerFeatures {
  words: number;
  sentences: number;
  skillTerms: string[];
  roleTerms: string[];
  numbers: number;
  examples: number;
  tradeOffs: number;
  sequencing: number;
  listItems: number;
  dontKnow: boolean;
  /** Distinct words / words (1 for short answers). */
  diversity: number;
  nonLatin: boolean;
}

export function analyzeAnswer(answer: string, skillKeywords: readonly string[], roleKeywords: readonly string[]): AnswerFeatures {
  const text = answer.trim();
  const words = countWords(text);
  const lowerWords = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const skillTerms = matchKeywords(text, skillKeywords);
  const roleTerms = matchKeywords(text, roleKeywords).filter((k) => !skillTerms.includes(k));
  return {
    words,
    sentences: text.split(/[.!?]+(?:\s|$)|\n+/).filter((s) => countWords(s) >= 3).length,
    skillTerms,
    roleTerms,
    numbers: text.match(NUMBER)?.length ?? 0,
    examples: text.match(EXAMPLE)?.length ?? 0,
    tradeOffs: new Set(text.toLowerCase().match(TRADE_OFF) ?? []).size,
    sequencing: text.match(SEQUENCE)?.length ?? 0,
    listItems: text.match(/^\s*(?:[-*•]|\d+[.)])\s+/gm)?.length ?? 0,
    dontKnow: soundsLikeDontKnow(text),
    diversity: lowerWords.length < 20 ? 1 : new Set(lowerWords).size / lowerWords.length,
    nonLatin: isMostlyNonLatin(text),
  };
}

export function scoreFeatures(f: AnswerFeatures, difficulty: number): number {
  const length = f.words < 3 ? 0 : f.words < 8 ? 0.5 : f.words < 20 ? 1.5 : f.words < 40 ? 2.5 : f.words < 80 ? 3.5 : 4;
  const structure = (f.sentences >= 3 ? 0.5 : 0) + (f.sequencing >= 2 || f.listItems >= 2 ? 0.5 : 0);
  const terms = Math.min(3, 1 * f.skillTerms.length) + Math.min(1, 0.4 * f.roleTerms.length);
  const specifics = Math.min(1.5, 0.75 * f.numbers) + Math.min(1, 0.5 * f.examples);
  const reasoning = Math.min(1.5, 0.5 * f.tradeOffs);
  const warmup = difficulty <= 1 && f.words >= 30 ? 1.5 : 0;
  let score = length + structure + terms + specifics + reasoning + warmup;
  if (f.dontKnow) score = f.words < 15 ? Math.min(score, 1) : score - 1.5;
  if (f.diversity < 0.35) score -= 3;
  return Math.round(Math.min(10, Math.max(0, score)) * 10) / 10;
}

/** One sentence a recruiter can read next to the score. */
export function rationaleFor(f: AnswerFeatures, score: number): string {
  if (f.words === 0) return 'No answer was given.';
  if (f.dontKnow && f.words < 15) return 'The candidate said they did not know and gave no further detail.';
  if (f.words < 8) return `Very short answer (${f.words} word${f.words === 1 ? '' : 's'}) with too little detail to assess.`;
  if (f.diversity < 0.35) return 'The answer is largely repetitive and carries little information.';
  const size = f.words < 40 ? 'Concise' : f.words < 120 ? 'Solid' : 'Detailed';
  const parts: string[] = [];
  const terms = [...f.skillTerms, ...f.roleTerms];
  if (terms.length > 0) parts.push(`uses relevant concepts (${terms.slice(0, 3).join(', ')})`);
  if (f.numbers + f.examples > 0) parts.push('gives concrete specifics');
  if (f.tradeOffs > 0) parts.push('explains reasoning or trade-offs');
  if (f.nonLatin) parts.push('is not in English, so keyword checks did not apply');
  const body = parts.length > 0 ? ` that ${joinList(parts)}` : ' that stays general, without concrete examples or trade-offs';
  const hedge = f.dontKnow ? ', though the candidate was unsure in places' : '';
  return `${size} answer${body}${hedge} (${score}/10).`;
}

export function assess(
  answer: string,
  difficulty: number,
  skillKeywords: readonly string[],
  roleKeywords: readonly string[],
): AnswerAssessment & { features: AnswerFeatures } {
  const features = analyzeAnswer(answer, skillKeywords, roleKeywords);
  const score = scoreFeatures(features, difficulty);
  return { score, rationale: rationaleFor(features, score), features };
}

function joinList(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
