import type { EvaluationResult } from '../../../shared/interview.js';
import type { PersonaId } from '../../../shared/opening.js';
import type { Difficulty, Phase } from '../../../shared/plan.js';

/**
 * The interviewer port. Adapters: scripted (default, no key) and openai.
 * The interview service depends on this interface only (wired in main.ts).
 */

/** A role the interviewer can interview for (GET /api/roles lists them). */
export interface RoleProfile {
  id: string;
  title: string;
  description: string;
  /** Skill ids with display names; questions and scores refer to these ids. */
  skills: Array<{ id: string; name: string }>;
}

/** An interviewer persona (GET /api/personas; server/src/interview/personas.ts). */
export interface PersonaProfile {
  id: PersonaId;
  name: string;
  /** Shown to the candidate before starting. */
  description: string;
  /** Style instructions for a model-backed interviewer. */
  tone: string;
}

/**
 * What an opening adds to a question request (docs/openings.md). The domain
 * decides everything here from the stored opening and transcript; adapters only
 * phrase it.
 */
export interface QuestionOpening {
  persona: PersonaProfile;
  /** The recruiter's job description (reference material, up to 20,000 chars; may be empty). */
  jobDescription: string;
  /** Role skill ids the job description emphasises, strongest first (may be empty). */
  focusSkills: string[];
  /** Every must-ask question of the opening, in order. */
  mustAsk: string[];
  /** The must-ask question due now: this question must ask it (scripted: verbatim). */
  mustAskNow?: { index: number; text: string };
}

export interface TranscriptEntry {
  role: 'interviewer' | 'candidate';
  text: string;
}

export interface QuestionRequest {
  /** Stable per interview: lets a deterministic interviewer vary questions between sessions. */
  sessionKey: string;
  role: RoleProfile;
  number: number;
  phase: Phase;
  difficulty: Difficulty;
  /** The skill the plan wants probed next. */
  skill: string;
  /** The conversation so far, oldest first, already trimmed to the context budget. */
  history: TranscriptEntry[];
  /** Present when the session was started from an opening. */
  opening?: QuestionOpening;
  /**
   * A recruiter's nudge this question must honour (docs/recruiters.md): `follow_up` —
   * ask this (in the interviewer's voice); `topic` — the question is about this. The
   * domain already made a matching role skill the question's `skill`.
   */
  steer?: QuestionSteer;
}

export interface QuestionSteer {
  kind: 'follow_up' | 'topic';
  /** The recruiter's words (<= 500 characters). */
  text: string;
}

export interface ScoreRequest {
  role: RoleProfile;
  phase: Phase;
  difficulty: Difficulty;
  skill: string;
  question: string;
  answer: string;
}

export interface AnswerAssessment {
  /** 0..10 */
  score: number;
  /** One sentence on why; shown to recruiters, never logged. */
  rationale: string;
}

export interface EvaluationRequest {
  role: RoleProfile;
  transcript: TranscriptEntry[];
  /** Per-question facts the plan collected, for a consistent report. */
  scores: Array<{ number: number; phase: Phase; skill: string; score: number | null }>;
}

export interface Usage {
  model: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Called once per model call with what it cost (the service accumulates it atomically). */
  onUsage?: (usage: Usage) => void;
}

export interface Interviewer {
  /** 'scripted' or e.g. 'openai:gpt-4o-mini'. */
  readonly name: string;
  /**
   * How many of the latest transcript messages a question request's `history` carries: the
   * question cycle reads exactly these from the store with the answer's write (a model reads
   * the whole interview; the scripted interviewer the last exchanges).
   */
  readonly historyWindow: number;
  /**
   * Text deltas of the next question, as they are produced. Honours
   * `signal` (stops promptly, rejects with an AbortError). A failure before or
   * during the stream rejects with an LlmError.
   */
  streamQuestion(request: QuestionRequest, options?: CallOptions): AsyncIterable<string>;
  scoreAnswer(request: ScoreRequest, options?: CallOptions): Promise<AnswerAssessment>;
  evaluate(request: EvaluationRequest, options?: CallOptions): Promise<EvaluationResult>;
}

export type LlmErrorCode = 'LLM_UNAVAILABLE' | 'LLM_TIMEOUT' | 'LLM_STREAM_CUT' | 'LLM_BAD_OUTPUT';

/** Why a model call failed; `retryable` is what `question:error` tells the client. */
export class LlmError extends Error {
  constructor(
    readonly code: LlmErrorCode,
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'LlmError';
  }
}
