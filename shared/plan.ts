import { z } from 'zod';
import { questionIdSchema } from './ids.js';

/**
 * Progressive-assessment facts, stored on the interview under `plan`. Both
 * arrays are append-only (`$push` guarded by questionId), so a late score and a
 * new question never overwrite each other; everything else (current phase,
 * boundaries, completion) is DERIVED from them by server/src/interview/plan.ts.
 */
export const phaseSchema = z.enum(['warmup', 'standard', 'advanced']);
export type Phase = z.infer<typeof phaseSchema>;

/** 1 = gentlest warm-up … 5 = hardest advanced question. */
export const difficultySchema = z.number().int().min(1).max(5);
export type Difficulty = z.infer<typeof difficultySchema>;

/** Most must-ask questions an opening may list (shared/opening.ts); the plan records which one a question asked. */
export const MUST_ASK_MAX = 10;

export const askedQuestionSchema = z.object({
  questionId: questionIdSchema,
  /** 1-based question number in the interview. */
  number: z.number().int().min(1).max(100),
  phase: phaseSchema,
  difficulty: difficultySchema,
  /** The skill the question probes (a role skill id, e.g. "system-design"). */
  skill: z.string().min(1).max(64),
  /** The opening's must-ask question (its index) this question asked, when it asked one. */
  mustAsk: z.number().int().min(0).max(MUST_ASK_MAX - 1).optional(),
  at: z.date(),
});
export type AskedQuestion = z.infer<typeof askedQuestionSchema>;

export const answerScoreSchema = z.object({
  questionId: questionIdSchema,
  /** 0..10; below 5 marks a skill boundary in the standard and advanced phases. */
  score: z.number().min(0).max(10),
  at: z.date(),
});
export type AnswerScore = z.infer<typeof answerScoreSchema>;

export const planStateSchema = z.object({
  asked: z.array(askedQuestionSchema).max(100),
  scores: z.array(answerScoreSchema).max(100),
});
export type PlanState = z.infer<typeof planStateSchema>;

export const EMPTY_PLAN: PlanState = { asked: [], scores: [] };
