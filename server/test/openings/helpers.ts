import type { OpeningView } from '../../../shared/opening.js';

export const RECRUITER = 'recruiter-token-for-openings-tests-01';

export interface Reply<T = unknown> {
  status: number;
  body: T;
}

/** One JSON request; `token: null` sends no Authorization header. */
export async function call<T = unknown>(base: string, method: string, path: string, body?: unknown, token: string | null = RECRUITER): Promise<Reply<T>> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

export async function createOpening(base: string, fields: Record<string, unknown> = {}): Promise<OpeningView> {
  const res = await call<OpeningView>(base, 'POST', '/api/openings', { title: 'Backend Engineer, Payments', role: 'backend-engineer', ...fields });
  if (res.status !== 201) throw new Error(`create opening: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export function errorCode(reply: Reply): string | undefined {
  return (reply.body as { error?: { code?: string } } | null)?.error?.code;
}
