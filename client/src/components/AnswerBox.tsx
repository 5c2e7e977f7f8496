import { useId, useState, type FormEvent, type KeyboardEvent } from 'react';
import { CANDIDATE_TEXT_MAX } from '../../../shared/interview.js';

export type AnswerBoxStatus =
  | { kind: 'idle' }
  | { kind: 'sending' }
  | { kind: 'sent' }
  | { kind: 'waiting'; message: string }
  | { kind: 'error'; message: string };

interface AnswerBoxProps {
  /** Why the box is disabled (shown to the user), or null when the candidate may answer. */
  disabledReason: string | null;
  status: AnswerBoxStatus;
  /** Called with the text; resolves true when the answer was accepted for sending (the box clears). */
  onSubmit: (text: string) => boolean;
  /** Text handed back to the box (a rejected answer). */
  initialText?: string;
}

/**
 * The answer box: counts characters against the 2,000 limit and says so
 * before sending, refuses empty and over-long answers, and is disabled while
 * a question streams. "Sent" is shown only from the server's ack (status).
 */
export function AnswerBox({ disabledReason, status, onSubmit, initialText = '' }: AnswerBoxProps) {
  const [text, setText] = useState(initialText);
  const [touched, setTouched] = useState(false);
  const id = useId();
  const count = text.length;
  const over = count > CANDIDATE_TEXT_MAX;
  const empty = text.trim().length === 0;
  const disabled = disabledReason !== null;
  const busy = status.kind === 'sending';
  const canSend = !disabled && !busy && !over && !empty;

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    setTouched(true);
    if (!canSend) return;
    if (onSubmit(text)) {
      setText('');
      setTouched(false);
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) submit();
  };

  return (
    <form className="answer-box" onSubmit={submit}>
      <label id={`${id}-label`} htmlFor={`${id}-text`}>
        Your answer
      </label>
      <p id={`${id}-hint`} className="hint">
        Up to {CANDIDATE_TEXT_MAX.toLocaleString('en')} characters. Ctrl+Enter sends.
      </p>
      <textarea
        id={`${id}-text`}
        name="answer"
        rows={5}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
        disabled={disabled}
        aria-describedby={`${id}-hint ${id}-count${disabledReason ? ` ${id}-why` : ''}`}
        aria-invalid={over || (touched && empty)}
      />
      <div className="answer-meta">
        <span id={`${id}-count`} className={over ? 'count count-over' : 'count'} data-testid="char-count" aria-live="polite">
          {count.toLocaleString('en')} / {CANDIDATE_TEXT_MAX.toLocaleString('en')}
          {over && ` — ${(count - CANDIDATE_TEXT_MAX).toLocaleString('en')} too many; shorten your answer to send it`}
        </span>
        <button type="submit" disabled={!canSend}>
          {busy ? 'Sending…' : 'Send answer'}
        </button>
      </div>
      {disabledReason && (
        <p id={`${id}-why`} className="hint" data-testid="answer-disabled-reason">
          {disabledReason}
        </p>
      )}
      {touched && empty && !disabled && <p className="field-error">Write an answer before sending.</p>}
      <p role="status" className={`send-status send-${status.kind}`} data-testid="send-status">
        {status.kind === 'sending' && 'Sending…'}
        {status.kind === 'sent' && 'Sent ✓'}
        {status.kind === 'waiting' && status.message}
        {status.kind === 'error' && status.message}
      </p>
    </form>
  );
}
