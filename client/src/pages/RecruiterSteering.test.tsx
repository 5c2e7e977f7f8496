// @vitest-environment happy-dom
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { WireNudge } from '../../../shared/nudges.js';
import { ME, SESSION, recruiterPageHarness } from '../test/recruiterPage.js';

const page = recruiterPageHarness();

const nudge = (overrides: Partial<WireNudge> = {}): WireNudge => ({
  id: 'nudge-1',
  sessionId: SESSION,
  kind: 'follow_up',
  text: 'How did you test the retries?',
  state: 'pending',
  author: { id: ME.id, name: ME.name },
  questionId: null,
  questionNumber: null,
  withdrawnBy: null,
  createdAt: '2026-01-01T00:00:20.000Z',
  updatedAt: '2026-01-01T00:00:20.000Z',
  ...overrides,
});

describe('RecruiterPage: steering the watched interview', () => {
  it('suggests a follow-up over the watch socket, lists it with its author, shows it used as Q2, and withdraws a pending one', async () => {
    await page.signIn();
    await screen.findByTestId('signed-in-as');
    const w = await page.watch([], { nudges: [nudge({ id: 'old', kind: 'topic', text: 'caching', author: { id: 'bootstrap', name: 'admin' } })], takeover: { sessionId: SESSION, by: null, at: null } });
    const panel = screen.getByTestId('steering-panel');
    expect(within(panel).getByTestId('nudge').textContent).toContain('Topic · pending · by admin');

    fireEvent.change(within(panel).getByLabelText('Suggest'), { target: { value: 'follow_up' } });
    fireEvent.change(within(panel).getByLabelText('Question'), { target: { value: 'How did you test the retries?' } });
    fireEvent.click(within(panel).getByRole('button', { name: 'Suggest' }));
    await waitFor(() => expect(w.sentOf('session:nudge')).toHaveLength(1));
    const sent = w.sentOf('session:nudge')[0]!;
    expect(sent.payload).toEqual({ sessionId: SESSION, nudgeId: expect.any(String), kind: 'follow_up', text: 'How did you test the retries?' });
    const nudgeId = (sent.payload as { nudgeId: string }).nudgeId;
    await act(async () => sent.resolve({ ok: true, created: true, nudge: nudge({ id: nudgeId }) }));
    expect(within(panel).getAllByTestId('nudge')).toHaveLength(2);
    expect(within(panel).getByLabelText('Question')).toHaveProperty('value', '');

    // Used by question 2 (nudge:updated from whichever node generated it).
    act(() => w.fire('nudge:updated', nudge({ id: nudgeId, state: 'used', questionId: 'q2', questionNumber: 2, updatedAt: '2026-01-01T00:00:30.000Z' })));
    const used = within(panel).getAllByTestId('nudge').find((n) => n.getAttribute('data-nudge-id') === nudgeId)!;
    expect(used.getAttribute('data-state')).toBe('used');
    expect(within(used).getByTestId('nudge-question').textContent).toContain('asked as Q2');
    expect(within(used).queryByRole('button', { name: 'Withdraw' })).toBeNull();

    const old = within(panel).getAllByTestId('nudge').find((n) => n.getAttribute('data-nudge-id') === 'old')!;
    fireEvent.click(within(old).getByRole('button', { name: 'Withdraw' }));
    await waitFor(() => expect(w.sentOf('session:nudge:withdraw')).toHaveLength(1));
    expect(w.sentOf('session:nudge:withdraw')[0]!.payload).toEqual({ sessionId: SESSION, nudgeId: 'old' });
    await act(async () =>
      w.sentOf('session:nudge:withdraw')[0]!.resolve({ ok: true, nudge: nudge({ id: 'old', kind: 'topic', text: 'caching', state: 'withdrawn', withdrawnBy: { id: ME.id, name: ME.name }, updatedAt: '2026-01-01T00:00:40.000Z' }) }),
    );
    expect(old.getAttribute('data-state')).toBe('withdrawn');
    expect(old.textContent).toContain('withdrawn by Grace Hopper');
  });

  it('takes over, asks its own question, hands back; someone else’s take-over is shown by name', async () => {
    await page.signIn();
    await screen.findByTestId('signed-in-as');
    const w = await page.watch([], { nudges: [], takeover: { sessionId: SESSION, by: null, at: null } });
    const panel = screen.getByTestId('steering-panel');
    fireEvent.click(within(panel).getByRole('button', { name: 'Take over' }));
    await waitFor(() => expect(w.sentOf('session:takeover')).toHaveLength(1));
    expect(w.sentOf('session:takeover')[0]!.payload).toEqual({ sessionId: SESSION });
    await act(async () => w.sentOf('session:takeover')[0]!.resolve({ ok: true, takeover: { sessionId: SESSION, by: { id: ME.id, name: ME.name }, at: '2026-01-01T00:01:00.000Z' } }));

    fireEvent.change(within(panel).getByLabelText('Your question'), { target: { value: 'What would you page on?' } });
    fireEvent.click(within(panel).getByRole('button', { name: 'Ask' }));
    await waitFor(() => expect(w.sentOf('session:takeover:ask')).toHaveLength(1));
    expect(w.sentOf('session:takeover:ask')[0]!.payload).toEqual({ sessionId: SESSION, text: 'What would you page on?' });
    await act(async () => w.sentOf('session:takeover:ask')[0]!.resolve({ ok: false, error: { code: 'STATE_CONFLICT', message: 'The candidate has not answered the current question yet' } }));
    expect(within(panel).getByRole('alert').textContent).toBe('The candidate has not answered the current question yet');

    fireEvent.click(within(panel).getByRole('button', { name: 'Hand back to the AI' }));
    await waitFor(() => expect(w.sentOf('session:handback')).toHaveLength(1));
    await act(async () => w.sentOf('session:handback')[0]!.resolve({ ok: true, takeover: { sessionId: SESSION, by: null, at: null } }));
    expect(within(panel).getByRole('button', { name: 'Take over' })).toBeTruthy();

    act(() => w.fire('takeover:updated', { sessionId: SESSION, by: { id: 'bbbbbbbbbbbbbbbbbbbbbbbb', name: 'Bob Builder' }, at: '2026-01-01T00:02:00.000Z' }));
    expect(within(panel).getByTestId('takeover-held').textContent).toBe('Bob Builder has taken over.');
    expect(within(panel).queryByRole('button', { name: 'Take over' })).toBeNull();
  });
});
