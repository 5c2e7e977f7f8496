import type { OpeningView } from '../../../shared/opening.js';
import { jsonCall, type Reply } from '../support/jsonCall.js';

export const RECRUITER = 'recruiter-token-for-openings-tests-01';

export type { Reply };

/** One JSON request; `token: null` sends no Authorization header. */
export function call<T = unknown>(base: string, method: string, path: string, body?: unknown, token: string | null = RECRUITER): Promise<Reply<T>> {
  return jsonCall<T>(base, method, path, body, token);
}

export async function createOpening(base: string, fields: Record<string, unknown> = {}): Promise<OpeningView> {
  const res = await call<OpeningView>(base, 'POST', '/api/openings', { title: 'Backend Engineer, Payments', role: 'backend-engineer', ...fields });
  if (res.status !== 201) throw new Error(`create opening: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export function errorCode(reply: Reply): string | undefined {
  return (reply.body as { error?: { code?: string } } | null)?.error?.code;
}
