import type { EvaluationStatus, InterviewStatus } from '../../../shared/interview.js';
import type { SessionByClientWithVoice } from '../../../shared/voice.js';

/**
 * The results page as a pure state machine: which screen to show, when to
 * poll next, when to give up. Socket pushes (session:status, session:linked,
 * evaluation:ready) only make it fetch sooner; polling is the fallback:
 * about 1 s for up to 60 s while a voice conversation is being linked
 * ("Saving your interview…"), then 2 s for up to 60 s while the evaluation
 * runs ("Generating your feedback…"), then a timeout screen with Retry.
 * It never spins without a deadline.
 */

export const LINK_POLL_MS = 1_000;
export const LINK_TIMEOUT_MS = 60_000;
export const EVAL_POLL_MS = 2_000;
export const EVAL_TIMEOUT_MS = 60_000;
/** Fetch errors (network down) are retried on this cadence within the same deadline. */
export const ERROR_POLL_MS = 3_000;

export type ResultsStage =
  /** First fetch not back yet. */
  | 'loading'
  /** The interview is still open (the candidate came here early). */
  | 'in_progress'
  /** Ended; the voice conversation is not linked/stored yet. */
  | 'saving'
  /** Stored; the evaluation is pending or running. */
  | 'evaluating'
  /** Transcript and evaluation are here (or there is no evaluation to wait for). */
  | 'ready'
  /** The evaluation failed for good. */
  | 'failed'
  /** A deadline passed; Retry restarts it. */
  | 'timeout'
  /** Credentials or session unknown: nothing to retry. */
  | 'error';

export interface ResultsState {
  stage: ResultsStage;
  /** When the current waiting stage began (ms clock); deadlines count from here. */
  since: number;
  /** For 'timeout': which wait ran out. */
  timedOut: 'saving' | 'evaluating' | 'loading' | null;
  data: SessionByClientWithVoice | null;
  /** Latest transient fetch problem, shown under the status line. */
  problem: string | null;
  /** For 'error'. */
  error: string | null;
}

export type ResultsEvent =
  | { type: 'fetched'; data: SessionByClientWithVoice; now: number }
  | { type: 'fetch_failed'; message: string; fatal: boolean; now: number }
  | { type: 'pushed_status'; status: InterviewStatus; now: number }
  | { type: 'pushed_evaluation'; evaluationStatus: EvaluationStatus; now: number }
  | { type: 'tick'; now: number }
  | { type: 'retry'; now: number };

export function initialResults(now: number): ResultsState {
  return { stage: 'loading', since: now, timedOut: null, data: null, problem: null, error: null };
}

const OPEN: readonly (InterviewStatus | null)[] = ['created', 'active', 'paused'];

/** The stage the server's answer puts the page in. */
export function stageOf(data: SessionByClientWithVoice): Exclude<ResultsStage, 'loading' | 'timeout' | 'error'> {
  const { status, evaluationStatus } = data;
  if (OPEN.includes(status)) return 'in_progress';
  if (status === 'ended_pending_webhook' || status === 'orphaned' || status === null || data.voice?.state === 'awaiting_transcript') return 'saving';
  if (evaluationStatus === 'complete') return 'ready';
  if (evaluationStatus === 'failed') return 'failed';
  if (status === 'abandoned' && evaluationStatus === null) return 'ready';
  return 'evaluating';
}

function deadlineOf(stage: ResultsStage): number | null {
  if (stage === 'saving') return LINK_TIMEOUT_MS;
  if (stage === 'evaluating') return EVAL_TIMEOUT_MS;
  if (stage === 'loading') return LINK_TIMEOUT_MS;
  return null;
}

function enter(state: ResultsState, stage: ResultsStage, now: number): ResultsState {
  if (stage === state.stage) return state;
  return { ...state, stage, since: now, timedOut: null };
}

function checkDeadline(state: ResultsState, now: number): ResultsState {
  const limit = deadlineOf(state.stage);
  if (limit === null || now - state.since < limit) return state;
  const timedOut = state.stage === 'saving' || state.stage === 'evaluating' || state.stage === 'loading' ? state.stage : null;
  return { ...state, stage: 'timeout', since: now, timedOut };
}

export function reduceResults(state: ResultsState, event: ResultsEvent): ResultsState {
  switch (event.type) {
    case 'fetched': {
      // A timeout screen stays until Retry, unless the answer is final.
      const stage = stageOf(event.data);
      const base = { ...state, data: event.data, problem: null };
      if (state.stage === 'timeout' && stage !== 'ready' && stage !== 'failed') return base;
      return checkDeadline(enter(base, stage, event.now), event.now);
    }
    case 'fetch_failed':
      if (event.fatal) return { ...state, stage: 'error', error: event.message, since: event.now };
      return checkDeadline({ ...state, problem: event.message }, event.now);
    case 'pushed_status': {
      if (!state.data || state.stage === 'error') return state;
      const data = { ...state.data, status: event.status };
      if (state.stage === 'timeout') return { ...state, data };
      return { ...enter(state, stageOf(data), event.now), data };
    }
    case 'pushed_evaluation': {
      if (!state.data || state.stage === 'error') return state;
      // 'complete' needs the result itself: the stage moves when the fetch it triggers returns.
      if (event.evaluationStatus === 'complete') return state;
      const data = { ...state.data, evaluationStatus: event.evaluationStatus };
      const stage = stageOf(data);
      return state.stage === 'timeout' ? { ...state, data } : { ...enter(state, stage, event.now), data };
    }
    case 'tick':
      return checkDeadline(state, event.now);
    case 'retry':
      if (state.stage !== 'timeout' && state.stage !== 'failed' && state.stage !== 'error') return state;
      return { ...state, stage: 'loading', since: event.now, timedOut: null, problem: null, error: null };
  }
}

/** Milliseconds until the next poll, or null when the page waits for nothing. */
export function nextPollIn(state: ResultsState): number | null {
  if (state.problem && (state.stage === 'loading' || state.stage === 'saving' || state.stage === 'evaluating')) return ERROR_POLL_MS;
  switch (state.stage) {
    case 'loading':
      return 0;
    case 'saving':
      return LINK_POLL_MS;
    case 'evaluating':
      return EVAL_POLL_MS;
    case 'in_progress':
      return EVAL_POLL_MS;
    default:
      return null;
  }
}

/** Milliseconds until the current wait times out (for a tick), or null. */
export function deadlineIn(state: ResultsState, now: number): number | null {
  const limit = deadlineOf(state.stage);
  return limit === null ? null : Math.max(0, state.since + limit - now);
}
