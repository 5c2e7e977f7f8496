import { describe, expect, it } from 'vitest';
import type { WireFocusSignal } from '../../../shared/monitor.js';
import { answer, question } from '../test/fakeSocket.js';
import { describeSignal, mergeFocus, timeline } from './focusTimeline.js';

const hidden = (at: string): WireFocusSignal => ({ kind: 'focus', state: 'hidden', at });
const visible = (at: string): WireFocusSignal => ({ kind: 'focus', state: 'visible', at });
const paste = (at: string, length: number): WireFocusSignal => ({ kind: 'paste', length, at });

describe('focus signals on the recruiter timeline', () => {
  it('merges the watch ack with live events without doubles, ordered by the server time', () => {
    const ack = [hidden('2026-01-01T00:00:02.000Z'), visible('2026-01-01T00:00:03.000Z')];
    const live = [visible('2026-01-01T00:00:03.000Z'), paste('2026-01-01T00:00:01.000Z', 12)];
    expect(mergeFocus(ack, live).map((s) => s.at)).toEqual(['2026-01-01T00:00:01.000Z', '2026-01-01T00:00:02.000Z', '2026-01-01T00:00:03.000Z']);
  });

  it('puts each signal before the first line that came after it', () => {
    const messages = [question('q1', 'Hello?', '2026-01-01T00:00:00.000Z'), answer('a1', 'Hi.', 'q1', '2026-01-01T00:00:05.000Z')];
    const items = timeline(messages, [paste('2026-01-01T00:00:04.000Z', 3), hidden('2026-01-01T00:00:09.000Z')]);
    expect(items.map((i) => (i.kind === 'message' ? i.message.id : describeSignal(i.signal)))).toEqual([
      'q1',
      'Pasted 3 characters',
      'a1',
      'Left the interview page (tab or window hidden)',
    ]);
  });

  it('describes each kind in words', () => {
    expect(describeSignal(paste('2026-01-01T00:00:00.000Z', 1))).toBe('Pasted 1 character');
    expect(describeSignal(visible('2026-01-01T00:00:00.000Z'))).toBe('Came back to the interview page');
  });
});
