import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The candidate's credential: an HMAC over the session id with SESSION_SECRET.
 * Nothing is stored; a token for session A can never open session B, and
 * rotating SESSION_SECRET revokes every token at once.
 */
const VERSION = 'v1';

export function candidateTokenFor(secret: string, clientSessionId: string): string {
  return `${VERSION}.${digest(secret, clientSessionId).toString('base64url')}`;
}

export function verifyCandidateToken(secret: string, clientSessionId: string, token: unknown): boolean {
  if (typeof token !== 'string' || !token.startsWith(`${VERSION}.`) || token.length > 128) return false;
  const given = Buffer.from(token.slice(VERSION.length + 1), 'base64url');
  const expected = digest(secret, clientSessionId);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function digest(secret: string, clientSessionId: string): Buffer {
  return createHmac('sha256', secret).update(`candidate:${clientSessionId}`).digest();
}
