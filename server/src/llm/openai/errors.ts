import OpenAI from 'openai';
import { LlmError } from '../port.js';

/**
 * Error normalisation. Every failure leaves the adapter as either
 * - an LlmError (see the codes in port.ts and docs/llm.md), or
 * - an AbortError: a DOMException with name 'AbortError' (the same thing
 *   fetch and node:timers throw), whatever the SDK raised (APIUserAbortError,
 *   a silently ended stream, ...). Test with isAbortError().
 */

export function abortError(): DOMException {
  return new DOMException('The interviewer call was aborted', 'AbortError');
}

export function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

/** Thrown by the stream reader when no chunk arrived within the idle timeout. */
export class IdleTimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`no data from the model for ${ms} ms`);
    this.name = 'IdleTimeoutError';
  }
}

/** Statuses the SDK itself retries (and so are transient). */
function transientStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * Map anything thrown by the SDK or the stream reader. `yielded` says whether
 * the caller already received text: then any failure is LLM_STREAM_CUT, so
 * the caller knows its partial question is incomplete and must not be retried
 * blindly (it would duplicate text).
 */
export function toLlmError(error: unknown, opts: { yielded: boolean; signal?: AbortSignal | undefined }): LlmError | DOMException {
  if (error instanceof LlmError) return error;
  if (opts.signal?.aborted || error instanceof OpenAI.APIUserAbortError || isAbortError(error)) return abortError();
  const cause = { cause: error };
  if (opts.yielded) {
    const why = error instanceof IdleTimeoutError ? error.message : describe(error);
    return new LlmError('LLM_STREAM_CUT', `the question stream broke off: ${why}`, true, cause);
  }
  if (error instanceof IdleTimeoutError || error instanceof OpenAI.APIConnectionTimeoutError) {
    return new LlmError('LLM_TIMEOUT', `the model did not answer in time: ${describe(error)}`, true, cause);
  }
  if (error instanceof OpenAI.APIError && error.status !== undefined) {
    // 400/401/403/404/422: our request or key is wrong; repeating it will not help.
    return new LlmError('LLM_UNAVAILABLE', `the model API answered ${error.status}`, transientStatus(error.status), cause);
  }
  return new LlmError('LLM_UNAVAILABLE', `the model API is unreachable: ${describe(error)}`, true, cause);
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${error.message}${cause}`;
}
