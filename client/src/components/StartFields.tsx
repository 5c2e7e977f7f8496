import type { InterviewMode } from '../../../shared/interview.js';

/**
 * The fields both ways into an interview share (the start page and an opening's
 * share link): the candidate's name, how they answer, and what is recorded.
 */

export const MODE_LABEL: Record<InterviewMode, string> = { text: 'Typing (text)', voice: 'Speaking (voice — needs a microphone)' };

export function NameField(props: { id: string; value: string; error: string | null; onChange: (value: string) => void }) {
  const { id, value, error, onChange } = props;
  return (
    <div className="field">
      <label htmlFor={`${id}-name`}>Your name</label>
      <input
        id={`${id}-name`}
        name="candidateName"
        autoComplete="name"
        value={value}
        maxLength={120}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error !== null}
        aria-describedby={error ? `${id}-name-error` : undefined}
        required
      />
      {error && (
        <p id={`${id}-name-error`} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

export function ModeField(props: { modes: readonly InterviewMode[]; value: InterviewMode; onChange: (mode: InterviewMode) => void }) {
  const { modes, value, onChange } = props;
  if (modes.length < 2) {
    return (
      <p className="field">
        You answer by <strong>{value === 'voice' ? 'speaking (voice — needs a microphone)' : 'typing'}</strong>.
      </p>
    );
  }
  return (
    <fieldset className="field">
      <legend>How do you want to answer?</legend>
      {modes.map((m) => (
        <label className="choice" key={m}>
          <input type="radio" name="mode" value={m} checked={value === m} onChange={() => onChange(m)} />
          {MODE_LABEL[m]}
        </label>
      ))}
    </fieldset>
  );
}

export function RecordedNotice(props: { id: string; mode: InterviewMode; focusNotice: string; testId?: string }) {
  const { id, mode, focusNotice, testId } = props;
  return (
    <section className="notice" aria-labelledby={`${id}-recorded`} data-testid={testId}>
      <h3 id={`${id}-recorded`}>What is recorded</h3>
      <ul>
        <li>
          Every question and every answer you give, with the time it was sent
          {mode === 'voice' ? ', and the transcript of the call (your voice is processed by ElevenLabs to transcribe it)' : ''}.
        </li>
        <li>{focusNotice}</li>
        <li>An automated evaluation of your answers, which the recruiter sees; the recruiter can follow the interview live.</li>
      </ul>
    </section>
  );
}
