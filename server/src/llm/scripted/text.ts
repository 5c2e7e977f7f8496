/**
 * Text utilities for the scripted interviewer: streaming tokens, word counts,
 * keyword matching and picking a salient phrase from a candidate's answer.
 */

/**
 * Word-ish tokens that keep their whitespace: every token starts where a
 * non-space follows a space, so `tokens.join('') === text` exactly.
 */
export function tokenize(text: string): string[] {
  return text.split(/(?<=\s)(?=\S)/).filter((t) => t.length > 0);
}

export function countWords(text: string): number {
  return text.match(/[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu)?.length ?? 0;
}

/** True when most letters are outside the Latin script (keyword heuristics do not apply). */
export function isMostlyNonLatin(text: string): boolean {
  const letters = text.match(/\p{L}/gu)?.length ?? 0;
  if (letters === 0) return false;
  const latin = text.match(/\p{Script=Latin}/gu)?.length ?? 0;
  return latin / letters < 0.5;
}

const DONT_KNOW =
  /\b(i\s+(?:really\s+)?(?:do\s*n[o']?t|dont)\s+know|no\s+idea|not\s+familiar|never\s+heard|no\s+experience\s+with|i\s+(?:have|had)\s+no\s+clue|pass|skip(?:\s+this)?)\b/i;

export function soundsLikeDontKnow(text: string): boolean {
  return DONT_KNOW.test(text.replace(/’/g, "'"));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

interface KeywordMatcher {
  re: RegExp;
  /** Lowercase text every match contains (the keyword's first word): most keywords are ruled out by one indexOf. */
  needle: string;
}

const keywordCache = new Map<string, KeywordMatcher>();

/** A case-insensitive whole-word matcher for a keyword (plural forms included). */
function keywordMatcher(keyword: string): KeywordMatcher {
  let m = keywordCache.get(keyword);
  if (!m) {
    const lower = keyword.toLowerCase();
    const body = escapeRegExp(lower).replace(/\\?-|\s+/g, '[\\s-]?');
    const re = new RegExp(`(?<![\\p{L}\\p{N}])${body}(?:s|es)?(?![\\p{L}\\p{N}])`, 'iu');
    m = { re, needle: lower.split(/[\s-]+/)[0] ?? lower };
    keywordCache.set(keyword, m);
  }
  return m;
}

/** Keywords present in the text, in keyword-list order, each once. */
export function matchKeywords(text: string, keywords: readonly string[]): string[] {
  const lower = text.toLowerCase();
  return [...new Set(keywords)].filter((k) => {
    const m = keywordMatcher(k);
    return lower.includes(m.needle) && m.re.test(text);
  });
}

interface WordSpan {
  text: string;
  start: number;
  end: number;
  /** First word of its clause (after . , ; : ! ? or brackets/quotes). */
  clauseStart: boolean;
  /** First word of a sentence (capitalisation there says nothing). */
  sentenceStart: boolean;
}

const WORD = /[\p{L}\p{N}][\p{L}\p{N}'’_./+#%-]*/gu;

function wordSpans(text: string): WordSpan[] {
  const spans: WordSpan[] = [];
  let previousEnd = 0;
  for (const m of text.matchAll(WORD)) {
    let word = m[0];
    // Trailing punctuation belongs to the sentence, not the word ("Kafka." -> "Kafka").
    word = word.replace(/[.'’/_-]+$/u, '');
    const start = m.index;
    const gap = text.slice(previousEnd, start);
    const first = spans.length === 0;
    spans.push({
      text: word,
      start,
      end: start + word.length,
      clauseStart: first || /[.,;:!?()[\]"“”]/.test(gap) || gap.includes('\n'),
      sentenceStart: first || /[.!?:]/.test(gap) || gap.includes('\n'),
    });
    // The gap to the next word includes stripped punctuation, so "teams. For" starts a sentence.
    previousEnd = start + word.length;
  }
  return spans;
}

const STOPWORDS = new Set(
  (
    'a an the and or but if then so of to in on at by for with from into onto over under about as is are was were be ' +
    'been being am do does did done have has had having i me my mine we us our you your he she it its they them their ' +
    'this that these those there here what which who whom whose when where why how all any both each few more most ' +
    'other some such no nor not only own same than too very can could will would shall should may might must just ' +
    'also really quite maybe probably actually basically like well yes yeah ok okay sure think thought know knew ' +
    'get got make made use used using thing things stuff lot lots kind sort way ways because while though although ' +
    'one two first second then after before again once out up down off just even still ever every much many ' +
    'through across between within without around via per against toward towards during since until upon among'
  ).split(' '),
);

function isContent(word: string): boolean {
  const lower = word.toLowerCase();
  return lower.length >= 3 && !STOPWORDS.has(lower) && /\p{L}/u.test(word);
}

/** Proper nouns, acronyms, numbers with units, identifiers: the words an interviewer would pick up on. */
function isDistinctive(span: WordSpan): boolean {
  const w = span.text;
  if (/\d/.test(w) && /\p{L}|%/u.test(w)) return true; // p99, 200ms, 40%
  if (/^\d{2,}/.test(w)) return true;
  if (/[a-z][A-Z]/.test(w) || /[_./+#]/.test(w.slice(1))) return true; // PostgreSQL, user_id, Node.js, C++
  if (/^\p{Lu}{2,}s?$/u.test(w)) return true; // SQL, APIs
  return /^\p{Lu}/u.test(w) && !span.sentenceStart && w !== 'I' && w.length > 1;
}

function unhyphen(word: string): string {
  return word.replace(/-/g, '');
}

/**
 * Widens a term into a short noun-phrase-like span within its clause: leftwards
 * over modifiers ("composite index"); rightwards only when asked, since without
 * a part-of-speech tagger the next word is as likely a verb ("engineering disagree").
 */
function expand(spans: WordSpan[], from: number, to: number, maxWords: number, right: boolean): [number, number] {
  let a = from;
  let b = to;
  while (a > 0 && b - a + 1 < maxWords && !spans[a]!.clauseStart && isContent(spans[a - 1]!.text)) a--;
  while (right && b + 1 < spans.length && b - a + 1 < maxWords && !spans[b + 1]!.clauseStart && isNounLike(spans[b + 1]!.text)) b++;
  return [a, b];
}

/** A crude noun test for the word after a distinctive term ("Grafana dashboards", "Kafka consumer"). */
function isNounLike(word: string): boolean {
  return isContent(word) && !/(?:ed|ing|ly)$/i.test(word) && !VERBISH.has(word.toLowerCase());
}

const NOUN_SUFFIX = /(?:tion|sion|ment|ness|ity|ance|ence|ure|ism|ship|ics|ogy|ers|ors|ies)$/i;

const VERBISH = new Set(['was', 'were', 'is', 'are', 'has', 'have', 'had', 'does', 'did', 'can', 'will', 'would', 'should', 'could', 'uses', 'runs', 'helps', 'works', 'makes', 'takes', 'gives', 'needs', 'wants', 'said', 'says']);

/** Per keyword list: its keywords longest first, each split into lowercase unhyphenated words (computed once). */
const partsCache = new WeakMap<readonly string[], string[][]>();

function keywordParts(keywords: readonly string[]): string[][] {
  let parts = partsCache.get(keywords);
  if (!parts) {
    parts = [...keywords].sort((x, y) => y.length - x.length).map((k) => k.toLowerCase().split(/\s+/).map(unhyphen));
    partsCache.set(keywords, parts);
  }
  return parts;
}

/**
 * A short phrase, copied verbatim from `answer`, that an interviewer would
 * echo back: a role keyword in context, else a distinctive term (product name,
 * acronym, number), else the longest run of content words. Null when nothing
 * salient exists (empty-ish answers, non-Latin scripts).
 */
export function salientPhrase(answer: string, keywords: readonly string[], maxWords = 4): string | null {
  if (isMostlyNonLatin(answer)) return null;
  const spans = wordSpans(answer).filter((s) => s.text.length > 0);
  if (spans.length === 0) return null;
  const slice = ([a, b]: [number, number]): string => answer.slice(spans[a]!.start, spans[b]!.end);

  // 1. The longest role keyword that appears, widened by adjacent content words.
  const words = spans.map((s) => unhyphen(s.text.toLowerCase()));
  const present = new Set(words);
  const matches = (w: string, p: string) => w === p || w === `${p}s` || w === `${p}es`;
  for (const parts of keywordParts(keywords)) {
    const first = parts[0]!;
    if (!present.has(first) && !present.has(`${first}s`) && !present.has(`${first}es`)) continue;
    for (let i = 0; i + parts.length <= words.length; i++) {
      if (parts.every((p, j) => matches(words[i + j]!, p))) return slice(expand(spans, i, i + parts.length - 1, maxWords, false));
    }
  }
  // 2. A distinctive term.
  const distinctive = spans.findIndex(isDistinctive);
  if (distinctive >= 0) return slice(expand(spans, distinctive, distinctive, Math.min(3, maxWords), true));
  // 3. The longest run (by characters) of 2+ content words in one clause.
  let best: [number, number] | null = null;
  let bestLength = 0;
  for (let i = 0; i < spans.length; i++) {
    if (!isContent(spans[i]!.text)) continue;
    let j = i;
    while (j + 1 < spans.length && j - i + 1 < maxWords && !spans[j + 1]!.clauseStart && isContent(spans[j + 1]!.text)) j++;
    // Prefer runs made of noun-looking words ("clear decision memo" over "engineering disagree").
    const length = spans.slice(i, j + 1).reduce((sum, s) => sum + s.text.length + (NOUN_SUFFIX.test(s.text) ? 6 : 0), 0);
    if (j > i && length > bestLength) {
      best = [i, j];
      bestLength = length;
    }
  }
  if (best) return slice(best);
  // 4. A single long content word.
  const long = spans.find((s) => isContent(s.text) && s.text.length >= 6);
  return long ? long.text : null;
}

/** A skill name for use mid-sentence: "Customer discovery" -> "customer discovery"; "API design" stays. */
export function displayLabel(name: string): string {
  const first = name.split(/\s/)[0] ?? '';
  // Only an ordinary capitalised word is lowered: "JavaScript", "API", "SLOs" keep their case.
  return /^\p{Lu}\p{Ll}+$/u.test(first) ? name.charAt(0).toLowerCase() + name.slice(1) : name;
}
