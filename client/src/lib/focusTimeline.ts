import type { WireFocusSignal } from '../../../shared/monitor.js';
import type { WireMessage } from '../../../shared/protocol.js';

/**
 * Focus signals in the recruiter's watch view: the `session:watch` ack carries
 * the stored ones, `focus:signal` events the later ones; both may hold the same
 * signal around the ack, so they are merged by identity and ordered by the
 * server's `at`.
 */
const keyOf = (s: WireFocusSignal) => `${s.kind}|${s.at}|${s.kind === 'focus' ? s.state : s.length}`;

export function mergeFocus(current: readonly WireFocusSignal[], incoming: readonly WireFocusSignal[]): WireFocusSignal[] {
  const byKey = new Map<string, WireFocusSignal>();
  for (const s of [...current, ...incoming]) byKey.set(keyOf(s), s);
  return [...byKey.values()].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

export type TimelineItem = { kind: 'message'; message: WireMessage } | { kind: 'signal'; signal: WireFocusSignal; key: string };

/** Messages in their order; each signal goes before the first message that came after it. */
export function timeline(messages: readonly WireMessage[], signals: readonly WireFocusSignal[]): TimelineItem[] {
  const out: TimelineItem[] = [];
  const sorted = mergeFocus([], signals);
  let i = 0;
  for (const message of messages) {
    const t = Date.parse(message.at);
    while (i < sorted.length && Date.parse(sorted[i]!.at) < t) {
      const signal = sorted[i++]!;
      out.push({ kind: 'signal', signal, key: keyOf(signal) });
    }
    out.push({ kind: 'message', message });
  }
  for (; i < sorted.length; i++) out.push({ kind: 'signal', signal: sorted[i]!, key: keyOf(sorted[i]!) });
  return out;
}

export function describeSignal(s: WireFocusSignal): string {
  if (s.kind === 'paste') return `Pasted ${s.length} character${s.length === 1 ? '' : 's'}`;
  return s.state === 'hidden' ? 'Left the interview page (tab or window hidden)' : 'Came back to the interview page';
}
