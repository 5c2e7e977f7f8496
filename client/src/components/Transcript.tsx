import { useEffect, useRef } from 'react';
import type { WireMessage } from '../../../shared/protocol.js';
import type { SessionView } from '../../../shared/sessionView.js';

interface TranscriptProps {
  view: SessionView;
  /** How the candidate's own lines are labelled ("You" for the candidate, the name for a recruiter). */
  candidateLabel: string;
}

function speaker(message: WireMessage, candidateLabel: string): string {
  return message.role === 'interviewer' ? 'Interviewer' : candidateLabel;
}

/**
 * The conversation so far, then the question still streaming (with a caret).
 * Finished lines live in a `log` region; the streaming question is
 * `aria-busy` until it ends, so screen readers read it once, whole.
 */
export function Transcript({ view, candidateLabel }: TranscriptProps) {
  const { messages, streaming } = view;
  const end = useRef<HTMLDivElement>(null);
  // A new line or a new question comes into view (not on every token: the reader keeps control).
  useEffect(() => {
    end.current?.scrollIntoView?.({ block: 'nearest' });
  }, [messages.length, streaming?.questionId]);
  return (
    <section className="transcript" aria-label="Transcript">
      <MessageList messages={messages} candidateLabel={candidateLabel} />
      {streaming && (
        <div className="message message-interviewer streaming" data-question-id={streaming.questionId}>
          <span className="speaker">Interviewer</span>
          <p className="text" data-testid="streaming-question" aria-live="polite" aria-busy="true">
            {streaming.text}
            <span className="caret" aria-hidden="true" />
          </p>
        </div>
      )}
      {messages.length === 0 && !streaming && <p className="muted">No questions yet.</p>}
      <div ref={end} />
    </section>
  );
}

/** Finished transcript lines, oldest first. */
export function MessageList({ messages, candidateLabel }: { messages: readonly WireMessage[]; candidateLabel: string }) {
  return (
    <ol className="messages" role="log" aria-live="polite">
      {messages.map((m) => (
        <li key={m.id} className={`message message-${m.role}`} data-testid={m.role === 'interviewer' ? 'question' : 'answer'} data-message-id={m.id}>
          <span className="speaker">{speaker(m, candidateLabel)}</span>
          {m.source !== 'text' && <span className="source">{m.source === 'webhook' ? 'call transcript' : 'voice'}</span>}
          <p className="text">{m.text}</p>
        </li>
      ))}
    </ol>
  );
}
