import { useId, useState, type FormEvent } from 'react';
import { NUDGE_TEXT_MAX, RECRUITER_QUESTION_MAX, type NudgeKind, type NudgeState, type WireNudge, type WireTakeover } from '../../../shared/nudges.js';

export interface SteeringActions {
  nudge: (input: { nudgeId: string; kind: NudgeKind; text: string }) => Promise<WireNudge>;
  withdrawNudge: (nudgeId: string) => Promise<WireNudge>;
  takeOver: () => Promise<void>;
  askAsRecruiter: (text: string) => Promise<void>;
  handBack: () => Promise<void>;
}

const STATE_LABEL: Record<NudgeState, string> = { pending: 'pending', used: 'used', withdrawn: 'withdrawn', expired: 'expired' };
const KIND_LABEL: Record<NudgeKind, string> = { follow_up: 'Follow-up', topic: 'Topic' };

function describeError(err: unknown, fallback: string): string {
  return err instanceof Error ? err.message : fallback;
}

function NudgeItem({ nudge, withdraw }: { nudge: WireNudge; withdraw: (id: string) => Promise<WireNudge> }) {
  const [error, setError] = useState<string | null>(null);
  return (
    <li className="nudge" data-testid="nudge" data-nudge-id={nudge.id} data-state={nudge.state}>
      <p className="small">
        <strong>{KIND_LABEL[nudge.kind]}</strong> · <span data-testid="nudge-state">{STATE_LABEL[nudge.state]}</span>
        {nudge.state === 'used' && nudge.questionNumber !== null && <span data-testid="nudge-question"> · asked as Q{nudge.questionNumber}</span>}
        {' · '}
        <span className="muted">by {nudge.author.name}</span>
        {nudge.withdrawnBy && <span className="muted"> · withdrawn by {nudge.withdrawnBy.name}</span>}
      </p>
      <p className="nudge-text">{nudge.text}</p>
      {nudge.state === 'pending' && (
        <button type="button" className="link-button small" onClick={() => void withdraw(nudge.id).then(() => setError(null), (err: unknown) => setError(describeError(err, 'Not withdrawn.')))}>
          Withdraw
        </button>
      )}
      {error && (
        <p role="alert" className="field-error">
          {error}
        </p>
      )}
    </li>
  );
}

/**
 * Steering the watched interview (docs/recruiters.md), recruiters only: suggest the next
 * question or its topic (a nudge the next generated question honours), and — in text
 * interviews — take over to type the next question yourself, then hand back to the AI.
 * The candidate sees only the questions, never the nudges.
 */
export function SteeringPanel({
  nudges,
  takeover,
  meId,
  mode,
  live,
  actions,
}: {
  nudges: readonly WireNudge[];
  takeover: WireTakeover | null;
  meId: string | null;
  mode: 'text' | 'voice';
  /** Whether the interview still runs (nudges and take-over are for live interviews). */
  live: boolean;
  actions: SteeringActions;
}) {
  const id = useId();
  const [kind, setKind] = useState<NudgeKind>('follow_up');
  const [text, setText] = useState('');
  // One id per draft: a retried send after a lost ack stores the nudge once.
  const [draftId, setDraftId] = useState(() => crypto.randomUUID());
  const [question, setQuestion] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const mine = takeover?.by !== null && takeover?.by !== undefined && takeover.by.id === meId;
  const held = takeover?.by ?? null;

  const run = async (work: () => Promise<unknown>, fallback: string): Promise<boolean> => {
    setBusy(true);
    try {
      await work();
      setError(null);
      return true;
    } catch (err) {
      setError(describeError(err, fallback));
      return false;
    } finally {
      setBusy(false);
    }
  };

  const submitNudge = async (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return setError('Write the question or topic first.');
    if (await run(() => actions.nudge({ nudgeId: draftId, kind, text }), 'The nudge was not sent.')) {
      setText('');
      setDraftId(crypto.randomUUID());
    }
  };

  const submitQuestion = async (e: FormEvent) => {
    e.preventDefault();
    if (!question.trim()) return setError('Type the question first.');
    if (await run(() => actions.askAsRecruiter(question), 'The question was not sent.')) setQuestion('');
  };

  return (
    <section className="steering" aria-labelledby={`${id}-title`} data-testid="steering-panel">
      <h3 id={`${id}-title`}>Steer the interview</h3>
      <p className="muted small">The candidate sees only the questions, never these suggestions.</p>
      {live && (
        <form className="nudge-form" onSubmit={(e) => void submitNudge(e)}>
          <label htmlFor={`${id}-kind`}>Suggest</label>
          <select id={`${id}-kind`} value={kind} onChange={(e) => setKind(e.target.value as NudgeKind)}>
            <option value="follow_up">Follow-up question (asked next)</option>
            <option value="topic">Topic of the next question</option>
          </select>
          <label htmlFor={`${id}-text`}>{kind === 'follow_up' ? 'Question' : 'Topic'}</label>
          <textarea id={`${id}-text`} maxLength={NUDGE_TEXT_MAX} value={text} onChange={(e) => setText(e.target.value)} />
          <p className="hint">
            {text.length} / {NUDGE_TEXT_MAX}
          </p>
          <button type="submit" disabled={busy}>
            Suggest
          </button>
        </form>
      )}
      {nudges.length > 0 && (
        <ol className="nudge-list" data-testid="nudge-list">
          {nudges.map((n) => (
            <NudgeItem key={n.id} nudge={n} withdraw={actions.withdrawNudge} />
          ))}
        </ol>
      )}
      {live && mode === 'text' && (
        <div className="takeover" data-testid="takeover">
          {held === null ? (
            <button type="button" className="secondary" disabled={busy} onClick={() => void run(actions.takeOver, 'Not taken over.')}>
              Take over
            </button>
          ) : mine ? (
            <>
              <p className="small">You have taken over: the AI waits; type the next question once the candidate has answered.</p>
              <form onSubmit={(e) => void submitQuestion(e)}>
                <label htmlFor={`${id}-question`}>Your question</label>
                <textarea id={`${id}-question`} maxLength={RECRUITER_QUESTION_MAX} value={question} onChange={(e) => setQuestion(e.target.value)} />
                <button type="submit" disabled={busy}>
                  Ask
                </button>
              </form>
              <button type="button" className="secondary" disabled={busy} onClick={() => void run(actions.handBack, 'Not handed back.')}>
                Hand back to the AI
              </button>
            </>
          ) : (
            <p className="small" data-testid="takeover-held">
              {held.name} has taken over.
            </p>
          )}
        </div>
      )}
      {error && (
        <p role="alert" className="field-error">
          {error}
        </p>
      )}
    </section>
  );
}
