import type { Interview, InterviewStatus } from '../../../shared/interview.js';

/**
 * Which session owns a finished conversation. PURE: the linker does the
 * lookups, this decides, the linker writes. First hit wins (PROTOCOL.md):
 *   1. a session already holding the conversation id
 *   2. the `client_session_id` dynamic variable
 *   3. the time window: same user + agent, no conversation id yet, voice
 *      started within 10 minutes of the call's start; exactly ONE candidate
 *   4. otherwise an orphan, with the candidates listed.
 * Never link on ambiguity: a wrong link shows a candidate someone else's interview.
 */

export const LINK_WINDOW_MS = 10 * 60_000;

/** What the decision needs to know about a session. */
export interface SessionFacts {
  clientSessionId: string;
  mode: 'text' | 'voice';
  status: InterviewStatus;
  conversationId: string | undefined;
  /** Conversation id of the transcript the session already has, if any. */
  transcriptConversationId: string | undefined;
}

export interface LinkInput {
  conversationId: string;
  /** The session holding `voice.conversationId === conversationId`, if any. */
  byConversationId: SessionFacts | null;
  /** The dynamic variable's value (a UUID) and the session it names (null: unknown id). */
  dynamicVariable: { clientSessionId: string; session: SessionFacts | null } | null;
  /** Time-window candidates (empty when the call lacks user, agent or start time). */
  windowCandidates: SessionFacts[];
}

export type LinkDecision =
  | { kind: 'link'; by: 'conversation_id' | 'dynamic_variable' | 'time_window'; clientSessionId: string }
  /** This conversation's transcript is already on that session (a replay): nothing to do. */
  | { kind: 'already_linked'; clientSessionId: string }
  /** An orphan already holds it (a replay): nothing to do. */
  | { kind: 'already_orphaned'; clientSessionId: string }
  | { kind: 'orphan'; reason: OrphanReason; candidates: string[] }
  /** The holder of the id can no longer take a transcript (e.g. completed with another): report, change nothing. */
  | { kind: 'unlinkable'; clientSessionId: string; reason: string };

export type OrphanReason =
  | 'no_match'
  | 'ambiguous_time_window'
  | 'dynamic_variable_session_has_other_conversation'
  | 'dynamic_variable_session_not_linkable';

const LINKABLE: readonly InterviewStatus[] = ['created', 'active', 'paused', 'ended_pending_webhook', 'abandoned'];

function canTake(s: SessionFacts): boolean {
  return s.mode === 'voice' && LINKABLE.includes(s.status) && s.transcriptConversationId === undefined;
}

export function decideLink(input: LinkInput): LinkDecision {
  const cid = input.conversationId;

  const holder = input.byConversationId;
  if (holder) {
    if (holder.status === 'orphaned') return { kind: 'already_orphaned', clientSessionId: holder.clientSessionId };
    if (holder.transcriptConversationId === cid) return { kind: 'already_linked', clientSessionId: holder.clientSessionId };
    if (canTake(holder)) return { kind: 'link', by: 'conversation_id', clientSessionId: holder.clientSessionId };
    return { kind: 'unlinkable', clientSessionId: holder.clientSessionId, reason: `holder is ${holder.mode}/${holder.status} with another transcript` };
  }

  const dv = input.dynamicVariable;
  if (dv?.session && dv.session.mode === 'voice') {
    const s = dv.session;
    if (s.transcriptConversationId === cid) return { kind: 'already_linked', clientSessionId: s.clientSessionId };
    if (s.conversationId !== undefined && s.conversationId !== cid) {
      return { kind: 'orphan', reason: 'dynamic_variable_session_has_other_conversation', candidates: [s.clientSessionId] };
    }
    if (!canTake(s)) return { kind: 'orphan', reason: 'dynamic_variable_session_not_linkable', candidates: [s.clientSessionId] };
    return { kind: 'link', by: 'dynamic_variable', clientSessionId: s.clientSessionId };
  }

  const candidates = input.windowCandidates.filter((c) => canTake(c) && c.conversationId === undefined);
  const only = candidates[0];
  if (candidates.length === 1 && only) return { kind: 'link', by: 'time_window', clientSessionId: only.clientSessionId };
  if (candidates.length > 1) return { kind: 'orphan', reason: 'ambiguous_time_window', candidates: candidates.map((c) => c.clientSessionId) };
  return { kind: 'orphan', reason: 'no_match', candidates: [] };
}

export function factsOf(session: Interview): SessionFacts {
  return {
    clientSessionId: session.clientSessionId,
    mode: session.mode,
    status: session.status,
    conversationId: session.voice?.conversationId,
    transcriptConversationId: session.transcript?.conversationId,
  };
}
