import { describe, expect, it } from 'vitest';
import type { InterviewStatus } from '../../../shared/interview.js';
import { decideLink, type LinkDecision, type LinkInput, type SessionFacts } from '../../src/voice/linking.js';

const CID = 'conv_1';
const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';

function s(id: string, over: Partial<SessionFacts> = {}): SessionFacts {
  return { clientSessionId: id, mode: 'voice', status: 'ended_pending_webhook', conversationId: undefined, transcriptConversationId: undefined, ...over };
}

function input(over: Partial<LinkInput>): LinkInput {
  return { conversationId: CID, byConversationId: null, dynamicVariable: null, windowCandidates: [], ...over };
}

describe('decideLink (pure): first hit wins, never on ambiguity', () => {
  const table: Array<[string, Partial<LinkInput>, LinkDecision]> = [
    ['a session holding the id links by conversation_id', { byConversationId: s(A, { conversationId: CID }) }, { kind: 'link', by: 'conversation_id', clientSessionId: A }],
    [
      'the id holder wins over a dynamic variable naming another session',
      { byConversationId: s(A, { conversationId: CID }), dynamicVariable: { clientSessionId: B, session: s(B) } },
      { kind: 'link', by: 'conversation_id', clientSessionId: A },
    ],
    ['the id holder still open (webhook before end) links', { byConversationId: s(A, { conversationId: CID, status: 'active' }) }, { kind: 'link', by: 'conversation_id', clientSessionId: A }],
    ['a replay onto the linked session is already_linked', { byConversationId: s(A, { conversationId: CID, status: 'completed', transcriptConversationId: CID }) }, { kind: 'already_linked', clientSessionId: A }],
    ['a replay onto the orphan is already_orphaned', { byConversationId: s(A, { conversationId: CID, status: 'orphaned', transcriptConversationId: CID }) }, { kind: 'already_orphaned', clientSessionId: A }],
    [
      'an id holder that cannot take a transcript is unlinkable',
      { byConversationId: s(A, { conversationId: CID, status: 'completed', transcriptConversationId: 'conv_other' }) },
      { kind: 'unlinkable', clientSessionId: A, reason: 'holder is voice/completed with another transcript' },
    ],
    ['the dynamic variable links a session without an id', { dynamicVariable: { clientSessionId: A, session: s(A) } }, { kind: 'link', by: 'dynamic_variable', clientSessionId: A }],
    [
      'the dynamic variable wins over the time window',
      { dynamicVariable: { clientSessionId: A, session: s(A) }, windowCandidates: [s(B)] },
      { kind: 'link', by: 'dynamic_variable', clientSessionId: A },
    ],
    [
      'a dynamic-variable session holding another conversation is not overwritten: orphan',
      { dynamicVariable: { clientSessionId: A, session: s(A, { conversationId: 'conv_other' }) } },
      { kind: 'orphan', reason: 'dynamic_variable_session_has_other_conversation', candidates: [A] },
    ],
    [
      'a dynamic-variable session already holding another transcript: orphan',
      { dynamicVariable: { clientSessionId: A, session: s(A, { status: 'completed', transcriptConversationId: 'conv_other' }) } },
      { kind: 'orphan', reason: 'dynamic_variable_session_not_linkable', candidates: [A] },
    ],
    [
      'a dynamic variable naming no session falls through to the window',
      { dynamicVariable: { clientSessionId: A, session: null }, windowCandidates: [s(B)] },
      { kind: 'link', by: 'time_window', clientSessionId: B },
    ],
    [
      'a dynamic variable naming a text session falls through to the window',
      { dynamicVariable: { clientSessionId: A, session: s(A, { mode: 'text', status: 'completed' }) }, windowCandidates: [s(B)] },
      { kind: 'link', by: 'time_window', clientSessionId: B },
    ],
    ['exactly one window candidate links by time_window', { windowCandidates: [s(A)] }, { kind: 'link', by: 'time_window', clientSessionId: A }],
    ['two window candidates: orphan listing both', { windowCandidates: [s(A), s(B)] }, { kind: 'orphan', reason: 'ambiguous_time_window', candidates: [A, B] }],
    [
      'a window candidate with a conversation id does not count',
      { windowCandidates: [s(A), s(B, { conversationId: 'conv_x' })] },
      { kind: 'link', by: 'time_window', clientSessionId: A },
    ],
    [
      'a completed window candidate does not count',
      { windowCandidates: [s(A, { status: 'completed', transcriptConversationId: 'conv_x' })] },
      { kind: 'orphan', reason: 'no_match', candidates: [] },
    ],
    ['nothing at all: orphan without candidates', {}, { kind: 'orphan', reason: 'no_match', candidates: [] }],
  ];

  it.each(table)('%s', (_name, over, expected) => {
    expect(decideLink(input(over))).toEqual(expected);
  });

  it('links from every state a voice session may be waiting in, and from no other', () => {
    const statuses: InterviewStatus[] = ['created', 'active', 'paused', 'ended_pending_webhook', 'completed', 'abandoned', 'orphaned'];
    const linked = statuses.filter((status) => decideLink(input({ windowCandidates: [s(A, { status })] })).kind === 'link');
    expect(linked).toEqual(['created', 'active', 'paused', 'ended_pending_webhook', 'abandoned']);
  });
});
