import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { RECRUITER_TOKEN_PATTERN } from '../../../shared/recruiters.js';

/**
 * Recruiter credentials, pure: the bootstrap comparison, the named-token format
 * `cr_<id>_<secret>`, and the hash that is all the store ever keeps.
 */

const sha256 = (value: string) => createHash('sha256').update(value).digest();

/** Constant-time comparison of a presented bootstrap token (hashing first makes lengths equal). */
export function recruiterTokenMatches(expected: string, presented: unknown): boolean {
  if (typeof presented !== 'string' || presented.length === 0 || presented.length > 512) return false;
  return timingSafeEqual(sha256(presented), sha256(expected));
}

/** Candidate tokens have a recognisable shape: presenting one to a recruiter door is the wrong party, not a typo. */
export function looksLikeCandidateToken(token: string): boolean {
  return /^v1\.[A-Za-z0-9_-]{43}$/.test(token);
}

/** A new secret: 32 random bytes, base64url (43 characters) — 256 bits, so a plain SHA-256 suffices (no password stretching). */
export function newRecruiterSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function hashRecruiterSecret(secret: string): string {
  return sha256(secret).toString('hex');
}

export function formatRecruiterToken(id: string, secret: string): string {
  return `cr_${id}_${secret}`;
}

/** `cr_<24 hex>_<43 base64url>` -> its parts; anything else -> null. */
export function parseRecruiterToken(token: string): { id: string; secret: string } | null {
  const match = RECRUITER_TOKEN_PATTERN.exec(token);
  return match?.[1] && match[2] ? { id: match[1], secret: match[2] } : null;
}

/** Hash of a secret nobody holds: compared against when the id is unknown, so both paths cost the same. */
const DECOY_HASH = hashRecruiterSecret(newRecruiterSecret());

/** Constant-time: does `secret` hash to `storedHash`? `storedHash` undefined (unknown id) -> false, after the same work. */
export function secretMatches(secret: string, storedHash: string | undefined): boolean {
  const expected = Buffer.from(storedHash ?? DECOY_HASH, 'hex');
  const presented = sha256(secret);
  return expected.length === presented.length && timingSafeEqual(presented, expected) && storedHash !== undefined;
}
