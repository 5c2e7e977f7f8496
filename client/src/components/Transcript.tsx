import { useEffect, useRef, type ReactNode } from 'react';
import type { WireFocusSignal } from '../../../shared/monitor.js';
import type { WireMessage } from '../../../shared/protocol.js';
import { describeSignal, timeline } from '../lib/focusTimeline.js';
import type { SessionView } from '../../../shared/sessionView.js';

interface TranscriptProps {
  view: SessionView;
  /** How the candidate's own lines are labelled ("You" for the candidate, the name for a recruiter). */
  candidateLabel: string;
  /** Recruiter view: focus signals, placed on the timeline by time. */
  focus?: readonly WireFocusSignal[];
  /** Recruiter view: extra content under a finished line (its private notes, a "Note" button). */
  annotate?: (message: WireMessage) => ReactNode;
}

function speaker(message: WireMessage, candidateLabel: string): string {
  return message.role === 'interviewer' ? 'Interviewer' : candidateLabel;
}

/**
 * The conversation so far, then the question still streaming (with a caret).
 * Finished lines live in a `log` region; the streaming question is
 * `aria-busy` until it ends, so screen readers read it once, whole.
 */
export function Transcript({ view, candidateLabel, focus, annotate }: TranscriptProps) {
  const { messages, streaming } = view;
  const end = useRef<HTMLDivElement>(null);
  // A new line or a new question comes into view (not on every token: the reader keeps control).
  useEffect(() => {
    end.current?.scrollIntoView?.({ block: 'nearest' });
  }, [messages.length, streaming?.questionId]);
  return (
    <section className="transcript" aria-label="Transcript">
      <MessageList messages={messages} candidateLabel={candidateLabel} {...(focus ? { focus } : {})} {...(annotate ? { annotate } : {})} />
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
export function MessageList({
  messages,
  candidateLabel,
  focus = [],
  annotate,
}: {
  messages: readonly WireMessage[];
  candidateLabel: string;
  focus?: readonly WireFocusSignal[];
  annotate?: (message: WireMessage) => ReactNode;
}) {
  return (
    <ol className="messages" role="log" aria-live="polite">
      {timeline(messages, focus).map((item) => {
        if (item.kind === 'signal') {
          const s = item.signal;
          return (
            <li key={item.key} className={`focus-signal focus-${s.kind === 'paste' ? 'paste' : s.state}`} data-testid="focus-signal">
              <time dateTime={s.at}>{new Date(s.at).toLocaleTimeString(undefined, { hour12: false })}</time> {describeSignal(s)}
            </li>
          );
        }
        const m = item.message;
        return (
          <li key={m.id} className={`message message-${m.role}`} data-testid={m.role === 'interviewer' ? 'question' : 'answer'} data-message-id={m.id}>
            <span className="speaker">{speaker(m, candidateLabel)}</span>
            {m.source !== 'text' && <span className="source">{m.source === 'webhook' ? 'call transcript' : 'voice'}</span>}
            <p className="text">{m.text}</p>
            {annotate?.(m)}
          </li>
        );
      })}
    </ol>
  );
}
