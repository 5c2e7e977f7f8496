import { describe, expect, it, vi } from 'vitest';
import type { SessionSummary } from '../../../shared/monitor.js';
import { ApiError } from './api.js';
import { describeLinkError, parseConversationId, resolveCandidates } from './manualLink.js';

const s = (n: number): SessionSummary => ({
  sessionId: String(n).padStart(24, '0'),
  clientSessionId: `${String(n).padStart(8, '0')}-0000-4000-8000-000000000000`,
  candidateName: `C${n}`,
  role: 'backend-engineer',
  mode: 'voice',
  status: 'ended_pending_webhook',
  questionNumber: 1,
  phase: 'warmup',
  lastActivityAt: '2026-01-01T00:00:00.000Z',
  createdAt: '2026-01-01T00:00:00.000Z',
  linkState: 'pending',
  linkedBy: null,
  deleteAfter: null,
  evaluationStatus: null,
});

describe('resolveCandidates', () => {
  it('takes what the live list has without a request', async () => {
    const fetchPage = vi.fn();
    const found = await resolveCandidates([s(1).clientSessionId], [s(1), s(2)], fetchPage);
    expect(found.get(s(1).clientSessionId)?.sessionId).toBe(s(1).sessionId);
    expect(fetchPage).not.toHaveBeenCalled();
  });

  it('pages through the recruiter list until every candidate is found', async () => {
    const pages: Record<string, { items: SessionSummary[]; nextCursor: string | null }> = {
      first: { items: [s(3), s(4)], nextCursor: 'p2' },
      p2: { items: [s(5)], nextCursor: 'p3' },
      p3: { items: [s(6)], nextCursor: null },
    };
    const fetchPage = vi.fn(async (cursor: string | null) => pages[cursor ?? 'first']!);
    const found = await resolveCandidates([s(1).clientSessionId, s(5).clientSessionId], [s(1)], fetchPage);
    expect(found.get(s(5).clientSessionId)?.candidateName).toBe('C5');
    expect(fetchPage.mock.calls.map((c) => c[0])).toEqual([null, 'p2']);
  });

  it('gives up after maxPages and maps the unknown to null', async () => {
    const fetchPage = vi.fn(async () => ({ items: [s(9)], nextCursor: 'more' }));
    const found = await resolveCandidates([s(7).clientSessionId], [], fetchPage, 3);
    expect(found.get(s(7).clientSessionId)).toBeNull();
    expect(fetchPage).toHaveBeenCalledTimes(3);
  });
});

describe('parseConversationId / describeLinkError', () => {
  it('trims and checks the id as the server does', () => {
    expect(parseConversationId('  conv_abc:1.2-3 ')).toEqual({ ok: true, conversationId: 'conv_abc:1.2-3' });
    expect(parseConversationId('   ').ok).toBe(false);
    expect(parseConversationId('conv abc').ok).toBe(false);
  });

  it('says what a refusal means', () => {
    expect(describeLinkError(new ApiError(404, { code: 'NOT_FOUND', message: 'No orphaned conversation with this id' }))).toBe(
      'Not found: No orphaned conversation with this id.',
    );
    expect(describeLinkError(new ApiError(409, { code: 'STATE_CONFLICT', message: 'Only a voice interview can take an orphaned conversation' }))).toBe(
      'Not linked: Only a voice interview can take an orphaned conversation.',
    );
    expect(describeLinkError(new ApiError(401, { code: 'UNAUTHORIZED', message: 'Bad token' }))).toBe('Not allowed: Bad token. Sign in again.');
  });
});
