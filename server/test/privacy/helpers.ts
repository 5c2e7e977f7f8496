import { randomUUID } from 'node:crypto';
import { EJSON } from 'bson';
import type { TestCandidate } from '../support/candidate.js';
import { namedCandidate } from '../support/interviews.js';
import type { TestServer } from '../support/server.js';
import { newConversationId, sendWebhook, startVoice, waitFor } from '../voice/helpers.js';

/**
 * Every document of every collection of the database that contains one of
 * `needles` (case-insensitive, anywhere, at any depth): `[]` when none does.
 */
export interface SearchableDb {
  listCollections(filter: object, opts: { nameOnly: true }): { toArray(): Promise<Array<{ name: string }>> };
  collection(name: string): { find(filter: object): { toArray(): Promise<object[]> } };
}

export async function findEverywhere(db: SearchableDb, needles: readonly string[]): Promise<Array<{ collection: string; needle: string }>> {
  const hits: Array<{ collection: string; needle: string }> = [];
  const collections = await db.listCollections({}, { nameOnly: true }).toArray();
  for (const { name } of collections) {
    const docs = await db.collection(name).find({}).toArray();
    for (const doc of docs) {
      const text = EJSON.stringify(doc).toLowerCase();
      for (const needle of needles) if (text.includes(needle.toLowerCase())) hits.push({ collection: name, needle });
    }
  }
  return hits;
}

/** Unique, recognisable text for one test's candidate. */
export function secrets(tag: string): { name: string; answers: string[]; callLines: string[] } {
  const id = randomUUID().slice(0, 8);
  return {
    name: `Erin ${tag} Erasure ${id}`,
    answers: [`My ${tag} answer one ${id} mentions a private project codenamed Bluebird.`, `My ${tag} answer two ${id} is about my previous employer.`],
    callLines: [`In the ${tag} call ${id} I said my home address out loud.`, `The ${tag} call ${id} second line names my manager.`],
  };
}

/**
 * A voice interview of `name` linked by its post-call webhook (whose raw payload
 * holds `callLines`), plus an ambiguous orphan: a second call of the same person
 * (same candidateId) that matched two sessions, so it lists both as candidates.
 */
export async function voiceWithOrphan(
  server: TestServer,
  s: { name: string; callLines: string[] },
): Promise<{ linked: TestCandidate; retry: TestCandidate; conversationId: string; orphanConversation: string; orphanCallLine: string }> {
  const candidateId = `cand_${randomUUID().slice(0, 8)}`;
  const linked = await namedCandidate(server, { name: s.name, mode: 'voice', candidateId });
  const start = await startVoice(linked, { webhook: 'off' });
  await linked.connect();
  await linked.emit('voice:started', { agentId: start.agentId });
  await linked.emit('voice:transcript', { messageId: 'live_1', role: 'user', text: s.callLines[0]! });
  await linked.emit('voice:ended', { endedBy: 'user', conversationId: start.conversationId! });
  await sendWebhook(server, {
    conversationId: start.conversationId!,
    agentId: start.agentId,
    userId: start.userId,
    clientSessionId: linked.clientSessionId,
    lines: s.callLines.map((text, i) => ({ role: i % 2 ? 'agent' : 'user', text })),
  });
  await waitFor(() => server.service.require(linked.clientSessionId), (x) => x.transcript !== undefined, 8_000, 'link');
  linked.disconnect();

  // Two pending voice sessions of the same person without conversation ids: a call with no ids matches both.
  const others: TestCandidate[] = [];
  for (let i = 0; i < 2; i += 1) {
    const o = await namedCandidate(server, { name: i === 0 ? s.name : 'Someone Else', mode: 'voice', candidateId });
    const st = await startVoice(o, { webhook: 'off', omitConversationId: true });
    await o.connect();
    await o.emit('voice:started', { agentId: st.agentId });
    await o.emit('voice:ended', { endedBy: 'user' });
    o.disconnect();
    others.push(o);
  }
  const orphanCallLine = `An ambiguous call of ${s.name} with a private detail.`;
  const orphanConversation = newConversationId();
  await sendWebhook(server, {
    conversationId: orphanConversation,
    agentId: start.agentId,
    userId: start.userId,
    omitDynamicVariables: true,
    lines: [{ role: 'user', text: orphanCallLine }],
  });
  const orphan = await waitFor(
    () => server.connection.collection('interviews').findOne({ 'voice.conversationId': orphanConversation }),
    (d) => d !== null,
    8_000,
    'orphan',
  );
  if (orphan?.status !== 'orphaned') throw new Error('expected an orphan');
  return { linked, retry: others[0]!, conversationId: start.conversationId!, orphanConversation, orphanCallLine };
}
