import type { QuestionRequest, TranscriptEntry } from '../port.js';
import type { BankQuestion, QuestionBank } from './banks/index.js';
import { hash32 } from './random.js';

/**
 * Remembers which question each (session, number) got, so that a question asked
 * earlier than the (trimmed) history still counts as asked, and a regenerated
 * turn gets the same question. Bounded; best-effort across replicas.
 */
export class AskedMemo {
  readonly #sessions = new Map<string, Map<number, string>>();

  constructor(private readonly maxSessions = 1000) {}

  /** Question ids chosen for numbers before `number` in this session. */
  before(sessionKey: string, number: number): Set<string> {
    const asked = this.#sessions.get(sessionKey);
    return new Set([...(asked ?? [])].filter(([n]) => n < number).map(([, id]) => id));
  }

  record(sessionKey: string, number: number, questionId: string): void {
    let asked = this.#sessions.get(sessionKey);
    if (asked) this.#sessions.delete(sessionKey); // re-insert: Map order doubles as LRU order
    asked ??= new Map();
    asked.set(number, questionId);
    this.#sessions.set(sessionKey, asked);
    if (this.#sessions.size > this.maxSessions) {
      const oldest = this.#sessions.keys().next().value;
      if (oldest !== undefined) this.#sessions.delete(oldest);
    }
  }
}

/** Per bank: each question's text as it appears inside an asked message (computed once). */
const needles = new WeakMap<QuestionBank, Array<{ question: BankQuestion; needle: string }>>();

/** The bank question an interviewer message asked, if any (follow-up prefixes allowed). */
export function findAsked(bank: QuestionBank, text: string): BankQuestion | undefined {
  let list = needles.get(bank);
  if (!list) {
    // Compare without the first letter: a stripped opener re-capitalises it.
    list = bank.questions.map((question) => ({ question, needle: withoutOpener(question.text).slice(1) }));
    needles.set(bank, list);
  }
  return list.find((q) => text.includes(q.needle))?.question;
}

const OPENER = /^(?:To (?:get us )?start(?:ed)?|To begin|First of all),\s+/;

/** "To start, tell me…" only makes sense as the first question: later it reads "Tell me…". */
export function withoutOpener(text: string): string {
  const rest = text.replace(OPENER, '');
  return rest === text ? text : rest.charAt(0).toUpperCase() + rest.slice(1);
}

export function askedIds(bank: QuestionBank, history: readonly TranscriptEntry[]): Set<string> {
  const ids = new Set<string>();
  for (const entry of history) {
    if (entry.role !== 'interviewer') continue;
    const q = findAsked(bank, entry.text);
    if (q) ids.add(q.id);
  }
  return ids;
}

/**
 * Picks a question not asked before: the requested skill and difficulty, else
 * the same skill at the nearest difficulty, else any skill at the nearest
 * difficulty, else (bank exhausted) anything. Ties are broken by a hash of
 * (sessionKey, number), so the choice is deterministic and varies per session.
 */
export function chooseQuestion(
  bank: QuestionBank,
  request: Pick<QuestionRequest, 'sessionKey' | 'number' | 'skill' | 'difficulty'>,
  exclude: ReadonlySet<string>,
): BankQuestion | undefined {
  const fresh = bank.questions.filter((q) => !exclude.has(q.id));
  const seed = `${request.sessionKey}:${request.number}`;
  const nearest = (pool: BankQuestion[]): BankQuestion | undefined => {
    if (pool.length === 0) return undefined;
    const distance = Math.min(...pool.map((q) => Math.abs(q.difficulty - request.difficulty)));
    const tier = pool.filter((q) => Math.abs(q.difficulty - request.difficulty) === distance);
    return tier[hash32(`${seed}:${tier.length}`) % tier.length];
  };
  return (
    nearest(fresh.filter((q) => q.skill === request.skill)) ??
    nearest(fresh) ??
    nearest(bank.questions.filter((q) => q.skill === request.skill)) ??
    nearest([...bank.questions])
  );
}
