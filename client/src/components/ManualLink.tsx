import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { LinkState, SessionSummary } from '../../../shared/monitor.js';
import {
  canTakeConversation,
  describeLinkError,
  fetchOrphan,
  linkConversation,
  parseConversationId,
  resolveCandidates,
  voicePages,
  type PageFetcher,
} from '../lib/manualLink.js';
import { STATUS_LABEL } from './Progress.js';

const LINK_STATE: Record<LinkState, string> = {
  none: '—',
  pending: 'waiting for its transcript',
  linked: 'already linked',
  ambiguous: 'ambiguous',
  orphaned: 'orphaned',
};

type Candidate = { clientSessionId: string; summary: SessionSummary | null };

type OrphanState =
  | { kind: 'loading' }
  | { kind: 'error'; message: string }
  | { kind: 'ready'; conversationId: string | null; candidates: Candidate[] };

/**
 * An orphaned conversation (a webhook transcript no session claimed): its
 * candidates (the sessions that could own it, from `voice.candidates`) each
 * with a "Link to …" button that merges the orphan into that session.
 */
export function OrphanLinker({
  token,
  orphan,
  known,
  onLinked,
  pages,
}: {
  token: string;
  orphan: SessionSummary;
  /** The live list: candidates found here need no lookup. */
  known: readonly SessionSummary[];
  onLinked: (summary: SessionSummary, conversationId: string) => void;
  /** Where unknown candidates are looked up (tests inject it). */
  pages?: PageFetcher;
}) {
  const [state, setState] = useState<OrphanState>({ kind: 'loading' });
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  // The live list changes with every upsert; the candidates are resolved once per orphan.
  const knownRef = useRef(known);
  knownRef.current = known;

  useEffect(() => {
    let cancelled = false;
    (async () => {
      const detail = await fetchOrphan(token, orphan.sessionId);
      const ids = detail.voice?.candidates ?? [];
      const resolved = await resolveCandidates(ids, knownRef.current, pages ?? voicePages(token));
      if (cancelled) return;
      setState({
        kind: 'ready',
        conversationId: detail.voice?.conversationId ?? null,
        candidates: ids.map((c) => ({ clientSessionId: c, summary: resolved.get(c) ?? null })),
      });
    })().catch((err: unknown) => {
      if (!cancelled) setState({ kind: 'error', message: `The orphaned call could not be loaded: ${describeLinkError(err)}` });
    });
    return () => {
      cancelled = true;
    };
  }, [token, orphan.sessionId, pages]);

  const link = async (target: SessionSummary, conversationId: string) => {
    setBusy(target.sessionId);
    setError(null);
    try {
      const res = await linkConversation(token, target.sessionId, conversationId);
      onLinked(res.summary, conversationId);
    } catch (err) {
      setError(describeLinkError(err));
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className="manual-link" aria-labelledby={`${id}-title`} data-testid="orphan-linker">
      <h3 id={`${id}-title`}>Link this call by hand</h3>
      {state.kind === 'loading' && <p role="status">Loading the call and its candidates…</p>}
      {state.kind === 'error' && (
        <p role="alert" className="field-error">
          {state.message}
        </p>
      )}
      {state.kind === 'ready' && (
        <>
          <p className="small">
            Conversation <code data-testid="orphan-conversation-id">{state.conversationId ?? 'unknown'}</code>. No interview could claim it on its own
            {state.candidates.length > 1 ? `; ${state.candidates.length} interviews could own it` : ''}.
          </p>
          {state.conversationId === null ? (
            <p className="field-error">This record has no conversation id, so it cannot be linked.</p>
          ) : state.candidates.length === 0 ? (
            <p className="muted">
              No candidate interviews were found for it (different user or agent, or none in the time window). Paste its conversation id into the
              link form of the interview it belongs to.
            </p>
          ) : (
            <ul className="candidates">
              {state.candidates.map((c) => {
                const s = c.summary;
                const name = s?.candidateName ?? 'Anonymous';
                const short = c.clientSessionId.slice(0, 8);
                return (
                  <li key={c.clientSessionId} data-testid="link-candidate" data-client-session-id={c.clientSessionId}>
                    {s ? (
                      <>
                        <span>
                          <strong>{name}</strong> <span className="muted small">{short}</span> · {STATUS_LABEL[s.status]} · {LINK_STATE[s.linkState]}
                        </span>
                        <button
                          type="button"
                          className="secondary"
                          disabled={busy !== null || state.conversationId === null}
                          aria-label={`Link to ${name} (${short})`}
                          onClick={() => state.conversationId && void link(s, state.conversationId)}
                        >
                          {busy === s.sessionId ? 'Linking…' : `Link to ${name}`}
                        </button>
                        {!canTakeConversation(s) && <span className="muted small"> (the server will likely refuse: {LINK_STATE[s.linkState]})</span>}
                      </>
                    ) : (
                      <span>
                        <code>{c.clientSessionId}</code> <span className="muted small">— not found among the recent voice interviews</span>
                      </span>
                    )}
                  </li>
                );
              })}
            </ul>
          )}
        </>
      )}
      {error && (
        <p role="alert" className="field-error" data-testid="link-error">
          {error}
        </p>
      )}
    </section>
  );
}

/** A voice session still waiting for its transcript: paste the conversation id of an orphaned call to merge it in. */
export function LinkConversationForm({ token, session, onLinked }: { token: string; session: SessionSummary; onLinked: (summary: SessionSummary, conversationId: string) => void }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const parsed = parseConversationId(value);
    if (!parsed.ok) {
      setError(parsed.message);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const res = await linkConversation(token, session.sessionId, parsed.conversationId);
      setValue('');
      onLinked(res.summary, parsed.conversationId);
    } catch (err) {
      setError(describeLinkError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="manual-link" onSubmit={(e) => void submit(e)} aria-labelledby={`${id}-title`} data-testid="link-form">
      <h3 id={`${id}-title`}>Link a call by hand</h3>
      <p className="hint" id={`${id}-hint`}>
        If this interview's call ended up as an orphaned conversation, paste its conversation id to merge the transcript into this interview.
      </p>
      <label htmlFor={`${id}-cid`}>Conversation id</label>
      <div className="inline-form">
        <input
          id={`${id}-cid`}
          value={value}
          onChange={(e) => setValue(e.target.value)}
          autoComplete="off"
          spellCheck={false}
          placeholder="conv_…"
          aria-describedby={error ? `${id}-err` : `${id}-hint`}
          aria-invalid={error ? true : undefined}
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Linking…' : 'Link'}
        </button>
      </div>
      {error && (
        <p id={`${id}-err`} role="alert" className="field-error" data-testid="link-error">
          {error}
        </p>
      )}
    </form>
  );
}
