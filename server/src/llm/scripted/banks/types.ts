import type { Difficulty } from '../../../../../shared/plan.js';

export interface BankQuestion {
  /** Stable id: `<prefix>.<skill>.<difficulty>.<n>`. */
  id: string;
  skill: string;
  difficulty: Difficulty;
  text: string;
}

export interface QuestionBank {
  roleId: string;
  /** Per skill id: lower-case terms a relevant answer tends to use (scoring and follow-ups). */
  keywords: Readonly<Record<string, readonly string[]>>;
  questions: readonly BankQuestion[];
}

export interface SkillSpec {
  keywords: readonly string[];
  /** [difficulty, text]; difficulty 1 questions are conversational warm-ups. */
  questions: ReadonlyArray<readonly [Difficulty, string]>;
}

/** Builds a bank from a compact per-skill spec, numbering ids per (skill, difficulty). */
export function defineBank(roleId: string, prefix: string, skills: Record<string, SkillSpec>): QuestionBank {
  const keywords: Record<string, readonly string[]> = {};
  const questions: BankQuestion[] = [];
  for (const [skill, spec] of Object.entries(skills)) {
    keywords[skill] = spec.keywords;
    const seen = new Map<Difficulty, number>();
    for (const [difficulty, text] of spec.questions) {
      const n = (seen.get(difficulty) ?? 0) + 1;
      seen.set(difficulty, n);
      questions.push({ id: `${prefix}.${skill}.${difficulty}.${n}`, skill, difficulty, text });
    }
  }
  return { roleId, keywords, questions };
}
