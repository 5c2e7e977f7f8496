// @vitest-environment happy-dom
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { SESSION, note, recruiterPageHarness } from '../test/recruiterPage.js';

const page = recruiterPageHarness();

describe('RecruiterPage: who is signed in', () => {
  it('shows the recruiter’s name; only an admin gets the Recruiters tab', async () => {
    await page.signIn();
    expect((await screen.findByTestId('signed-in-as')).textContent).toBe('Signed in as Grace Hopper (recruiter)');
    expect(screen.queryByRole('button', { name: 'Recruiters' })).toBeNull();
    page.reset({ id: 'bootstrap', name: 'admin', role: 'admin' });
    await page.signIn();
    fireEvent.click(await screen.findByRole('button', { name: 'Recruiters' }));
    expect(await screen.findByTestId('recruiters-section')).toBeTruthy();
  });

  it('a revoked token brings the sign-in prompt back with the reason', async () => {
    page.me = { status: 401 };
    page.render();
    fireEvent.change(screen.getByLabelText('Recruiter token'), { target: { value: 'cr_revoked' } });
    fireEvent.click(screen.getByRole('button', { name: 'Open dashboard' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('This recruiter token was revoked'));
    expect(sessionStorage.getItem('candor:recruiterToken')).toBeNull();
  });
});

describe('RecruiterPage: private notes in the watch view', () => {
  it('shows the stored notes with author, rating and the line they are about, then live note:upserted events', async () => {
    await page.signIn();
    await screen.findByTestId('signed-in-as');
    const w = await page.watch([note({ id: 'n-line', messageId: 'a1', rating: 4, author: { id: 'bbbbbbbbbbbbbbbbbbbbbbbb', name: 'Bob Builder' } })]);
    // A recruiter (not an admin) is not offered erasure (admin-only on the server).
    expect(screen.queryByRole('button', { name: /Erase this interview/ })).toBeNull();
    const panel = screen.getByTestId('notes-panel');
    const first = within(panel).getByTestId('note');
    expect(first.textContent).toContain('Bob Builder');
    expect(first.textContent).toContain('★★★★☆');
    expect(first.textContent).toContain('On Answer · By tenant');
    expect(screen.getByTestId('line-note-count').textContent).toContain('1 note');
    // Someone else's note: no Edit button.
    expect(within(first).queryByRole('button', { name: 'Edit' })).toBeNull();

    act(() => w.fire('note:upserted', note({ id: 'n-live', text: 'Live from another recruiter', author: { id: 'bootstrap', name: 'admin' } })));
    expect(within(panel).getAllByTestId('note').map((n) => n.textContent)).toEqual([expect.stringContaining('Bob Builder'), expect.stringContaining('Live from another recruiter')]);
    // An edit arrives as the same id with a newer updatedAt: replaced, not duplicated.
    act(() => w.fire('note:upserted', note({ id: 'n-live', text: 'Edited live', updatedAt: '2026-01-01T00:01:00.000Z', author: { id: 'bootstrap', name: 'admin' } })));
    expect(within(panel).getAllByTestId('note')).toHaveLength(2);
    expect(panel.textContent).toContain('Edited live');
    expect(panel.textContent).toContain('(edited)');
  });

  it('adds a note on the line whose Note button was pressed, with a rating, over the watch socket', async () => {
    await page.signIn();
    await screen.findByTestId('signed-in-as');
    const w = await page.watch([]);
    fireEvent.click(screen.getByRole('button', { name: 'Add a note on this answer' }));
    expect(screen.getByLabelText('About')).toHaveProperty('value', 'a1');
    fireEvent.change(screen.getByLabelText('Note'), { target: { value: 'Good instinct on idempotency.' } });
    fireEvent.change(within(screen.getByTestId('notes-panel')).getAllByLabelText('Rating').at(-1)!, { target: { value: '5' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add note' }));
    await waitFor(() => expect(w.sentOf('note:add')).toHaveLength(1));
    const sent = w.sentOf('note:add')[0]!;
    expect(sent.payload).toEqual({ sessionId: SESSION, noteId: expect.any(String), messageId: 'a1', text: 'Good instinct on idempotency.', rating: 5 });
    const noteId = (sent.payload as { noteId: string }).noteId;
    await act(async () => sent.resolve({ ok: true, created: true, note: note({ id: noteId, messageId: 'a1', text: 'Good instinct on idempotency.', rating: 5 }) }));
    expect(screen.getByTestId('note').textContent).toContain('Good instinct on idempotency.');
    expect(screen.getByLabelText('Note')).toHaveProperty('value', '');
    expect(screen.getByLabelText('About')).toHaveProperty('value', '');
  });

  it('a failed add keeps the draft and retries with the same noteId (stored once)', async () => {
    await page.signIn();
    await screen.findByTestId('signed-in-as');
    const w = await page.watch([]);
    fireEvent.change(screen.getByLabelText('Note'), { target: { value: 'About the whole interview.' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add note' }));
    await waitFor(() => expect(w.sentOf('note:add')).toHaveLength(1));
    await act(async () => w.sentOf('note:add')[0]!.resolve({ ok: false, error: { code: 'DEPENDENCY_DOWN', message: 'Database unavailable' } }));
    expect(screen.getByRole('alert').textContent).toBe('Database unavailable');
    expect(screen.getByLabelText('Note')).toHaveProperty('value', 'About the whole interview.');
    fireEvent.click(screen.getByRole('button', { name: 'Add note' }));
    await waitFor(() => expect(w.sentOf('note:add')).toHaveLength(2));
    const [first, second] = w.sentOf('note:add').map((s) => s.payload as { noteId: string; messageId?: string });
    expect(second!.noteId).toBe(first!.noteId);
    expect(second).not.toHaveProperty('messageId');
  });

  it('edits only the signed-in recruiter’s own notes', async () => {
    await page.signIn();
    await screen.findByTestId('signed-in-as');
    const w = await page.watch([note({ id: 'mine', text: 'First take', rating: 2 }), note({ id: 'theirs', author: { id: 'bootstrap', name: 'admin' }, text: 'Not mine' })]);
    const [mine, theirs] = screen.getAllByTestId('note');
    expect(within(theirs!).queryByRole('button', { name: 'Edit' })).toBeNull();
    fireEvent.click(within(mine!).getByRole('button', { name: 'Edit' }));
    fireEvent.change(within(mine!).getByLabelText('Edit note'), { target: { value: 'Second take' } });
    fireEvent.change(within(mine!).getByLabelText('Rating'), { target: { value: '' } });
    fireEvent.click(within(mine!).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(w.sentOf('note:edit')).toHaveLength(1));
    expect(w.sentOf('note:edit')[0]!.payload).toEqual({ sessionId: SESSION, noteId: 'mine', text: 'Second take', rating: null });
    await act(async () => w.sentOf('note:edit')[0]!.resolve({ ok: true, note: note({ id: 'mine', text: 'Second take', updatedAt: '2026-01-01T00:02:00.000Z' }) }));
    expect(screen.getAllByTestId('note')[0]!.textContent).toContain('Second take');
    expect(screen.getAllByTestId('note')[0]!.textContent).not.toContain('★');
  });
});
