import type { CreateRecruiterResponse, RecruiterRole } from '../../../shared/recruiters.js';

/** One REST call with a bearer token; the parsed JSON body (or null). */
export async function api(
  baseUrl: string,
  method: string,
  path: string,
  token: string | null,
  body?: unknown,
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${baseUrl}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null, headers: res.headers };
}

/** POST /api/recruiters as `adminToken`; throws unless 201. */
export async function addRecruiter(baseUrl: string, adminToken: string, name: string, role: RecruiterRole = 'recruiter'): Promise<CreateRecruiterResponse> {
  const res = await api(baseUrl, 'POST', '/api/recruiters', adminToken, { name, role });
  if (res.status !== 201) throw new Error(`add recruiter: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as CreateRecruiterResponse;
}
