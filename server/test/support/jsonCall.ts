export interface Reply<T = unknown> {
  status: number;
  body: T;
}

/** One JSON request to a test server; `token: null` sends no Authorization header. */
export async function jsonCall<T = unknown>(base: string, method: string, path: string, body: unknown, token: string | null): Promise<Reply<T>> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}
