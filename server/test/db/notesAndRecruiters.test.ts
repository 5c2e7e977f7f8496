import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Note } from '../../../shared/notes.js';
import { startTestStore, WRITE_COMMANDS, answer, type TestStore } from '../support/store.js';

let store: TestStore;
beforeAll(async () => {
  store = await startTestStore();
});
afterAll(async () => {
  await store?.stop();
});

const writes = (commands: Array<{ name: string }>) => commands.filter((c) => WRITE_COMMANDS.has(c.name)).map((c) => c.name);
const ada = { id: '0123456789abcdef01234567', name: 'Ada' };
const note = (id: string, extra: Partial<Note> = {}): Note => ({ id, text: `text ${id}`, author: ada, createdAt: new Date(), updatedAt: new Date(), ...extra });

async function sessionWithLine(): Promise<string> {
  const csid = randomUUID();
  const { session } = await store.repo.createSession({ clientSessionId: csid, mode: 'text', role: 'backend-engineer' });
  await store.repo.transition(csid, { from: ['created'], to: 'active', set: { turn: { state: 'awaiting_answer', questionId: 'q1' } } });
  await store.repo.appendMessage(csid, answer('m1'), { allowedStatuses: ['active'] });
  return session.id;
}

describe('notes in the store', () => {
  it('adding a note is ONE findAndModify whose filter holds the note id’s absence, the cap and the line’s presence', async () => {
    const id = await sessionWithLine();
    const { result, commands } = await store.commandsDuring(() => store.repo.addNote(id, note('n1', { messageId: 'm1', rating: 4 })));
    expect(result).toMatchObject({ outcome: 'added', note: { id: 'n1', messageId: 'm1', rating: 4, author: ada } });
    expect(writes(commands)).toEqual(['findAndModify']);
    expect(commands[0]?.body['query']).toMatchObject({ 'notes.id': { $ne: 'n1' }, 'notes.199': { $exists: false }, 'messages.id': { $eq: 'm1' } });
    // A retry: the same one write finds nothing to do, one read explains it.
    const retry = await store.commandsDuring(() => store.repo.addNote(id, note('n1', { messageId: 'm1', text: 'changed' })));
    expect(retry.result).toMatchObject({ outcome: 'duplicate', note: { text: 'text n1' } });
    expect(writes(retry.commands)).toEqual(['findAndModify']);
    expect((await store.repo.findById(id))?.notes).toHaveLength(1);
  });

  it('a note on a line that is not in the transcript is refused; nothing stored', async () => {
    const id = await sessionWithLine();
    expect(await store.repo.addNote(id, note('n2', { messageId: 'nope' }))).toEqual({ outcome: 'no_such_message' });
    expect(await store.repo.addNote('0123456789abcdef01234567', note('n3'))).toEqual({ outcome: 'not_found' });
    expect((await store.repo.findById(id))?.notes).toBeUndefined();
  });

  it('an edit is ONE findAndModify naming the note and its author; anyone else’s edit changes nothing', async () => {
    const id = await sessionWithLine();
    await store.repo.addNote(id, note('n1', { rating: 2 }));
    const other = await store.commandsDuring(() => store.repo.editNote(id, 'n1', { authorId: 'bootstrap', text: 'hijack', at: new Date() }));
    expect(other.result).toEqual({ outcome: 'not_author' });
    expect(writes(other.commands)).toEqual(['findAndModify']);
    expect(other.commands[0]?.body['query']).toMatchObject({ notes: { $elemMatch: { id: { $eq: 'n1' }, 'author.id': { $eq: 'bootstrap' } } } });
    expect((await store.repo.findById(id))?.notes?.[0]).toMatchObject({ text: 'text n1', rating: 2 });

    const mine = await store.repo.editNote(id, 'n1', { authorId: ada.id, text: 'better', rating: null, at: new Date() });
    expect(mine).toMatchObject({ outcome: 'edited', note: { text: 'better' } });
    expect((mine as { note: Note }).note).not.toHaveProperty('rating');
    expect(await store.repo.editNote(id, 'zz', { authorId: ada.id, text: 'x', at: new Date() })).toEqual({ outcome: 'no_such_note' });
  });
});

describe('recruiters in the store', () => {
  it('revocation is ONE findAndModify guarded by revokedAt absent; the first revocation stays', async () => {
    const r = await store.repo.createRecruiter({ name: 'Ada', role: 'recruiter', secretHash: 'b'.repeat(64) });
    const first = await store.commandsDuring(() => store.repo.revokeRecruiter(r.id, { id: 'bootstrap', name: 'admin' }));
    expect(writes(first.commands)).toEqual(['findAndModify']);
    expect(first.commands[0]?.body['query']).toMatchObject({ revokedAt: { $exists: false } });
    const again = await store.repo.revokeRecruiter(r.id, { id: ada.id, name: 'Someone else' });
    expect(again).toMatchObject({ outcome: 'already_revoked', recruiter: { revokedBy: { id: 'bootstrap', name: 'admin' } } });
    expect(await store.repo.findRevokedRecruiterIds([r.id, '0123456789abcdef0123456f'])).toEqual([r.id, '0123456789abcdef0123456f']);
    const alive = await store.repo.createRecruiter({ name: 'Alive', role: 'admin', secretHash: 'c'.repeat(64) });
    expect(await store.repo.findRevokedRecruiterIds([alive.id])).toEqual([]);
  });
});
