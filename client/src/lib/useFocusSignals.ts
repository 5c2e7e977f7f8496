import { useEffect } from 'react';
import type { InterviewSocket } from './sockets.js';

/**
 * Focus signals of the candidate page (docs/openings.md "Live focus signals"):
 * `candidate:focus` on every Page Visibility change, `candidate:paste` with the
 * LENGTH of text pasted into the page's text fields — never the text itself.
 * socket.io buffers emits while disconnected and sends them on reconnect; a
 * refusal (rate limit, interview over) is dropped: signals are best effort.
 */
export function focusPayload(state: DocumentVisibilityState, at = new Date()): { state: 'visible' | 'hidden'; at: string } {
  return { state: state === 'visible' ? 'visible' : 'hidden', at: at.toISOString() };
}

/** Only the length leaves the page. */
export function pastePayload(event: Pick<ClipboardEvent, 'clipboardData'>, at = new Date()): { length: number; at: string } | null {
  const text = event.clipboardData?.getData('text') ?? '';
  if (text.length === 0) return null;
  return { length: text.length, at: at.toISOString() };
}

function isTextField(target: EventTarget | null): boolean {
  if (!target || typeof (target as Element).tagName !== 'string') return false;
  const tag = (target as Element).tagName;
  return tag === 'TEXTAREA' || tag === 'INPUT';
}

export function useFocusSignals(socket: InterviewSocket | null, enabled: boolean): void {
  useEffect(() => {
    if (!socket || !enabled) return;
    const ignore = () => undefined;
    const onVisibility = () => socket.emit('candidate:focus', focusPayload(document.visibilityState), ignore);
    const onPaste = (event: ClipboardEvent) => {
      if (!isTextField(event.target)) return;
      const payload = pastePayload(event);
      if (payload) socket.emit('candidate:paste', payload, ignore);
    };
    document.addEventListener('visibilitychange', onVisibility);
    document.addEventListener('paste', onPaste, true);
    return () => {
      document.removeEventListener('visibilitychange', onVisibility);
      document.removeEventListener('paste', onPaste, true);
    };
  }, [socket, enabled]);
}
