import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { afterEach, describe, expect, it } from 'vitest';
import type { TestCandidate } from '../support/candidate.js';
import { namedCandidate } from '../support/interviews.js';
import { restartableServerEnv, startCandorProcess, type CandorProcess } from '../support/candorProcess.js';
import { freePort } from '../support/processes.js';
import { findEverywhere, secrets } from './helpers.js';

/**
 * A real server process killed with SIGKILL while it erases interviews: the
 * restarted process finishes every erasure it had begun before it serves
 * anything, and afterwards no collection holds the candidates' words or names.
 */

const running: CandorProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.kill('SIGKILL')));
});

async function typed(url: string, name: string, answer: string): Promise<TestCandidate> {
  const c = await namedCandidate({ url }, { name, mode: 'text' });
  await c.connect();
  await c.start();
  await c.awaitingAnswer(10_000);
  await c.answer(answer, 'a1');
  await c.emit('interview:end', { endedBy: 'user' });
  c.disconnect();
  return c;
}

describe('kill -9 in the middle of erasures', () => {
  it('the restarted server finishes the erasures it had begun, and nothing of the candidates is left', async () => {
    const dbPort = await freePort();
    const { env, url } = await restartableServerEnv({ SIMULATED_WEBHOOK: 'off', SCRIPTED_TOKEN_DELAY_MS: '0', EMBEDDED_DB_PORT: String(dbPort) });
    const first = await startCandorProcess(env);
    running.push(first);
    const token = JSON.parse(readFileSync(path.join(env.DATA_DIR, 'generated-secrets.json'), 'utf8')) as { RECRUITER_TOKEN: string };
    const auth = { authorization: `Bearer ${token.RECRUITER_TOKEN}` };

    const people = Array.from({ length: 10 }, (_, i) => secrets(`kill${i}`));
    const candidates = await Promise.all(people.map((p) => typed(url, p.name, p.answers[0]!)));
    const needles = people.flatMap((p) => [p.name, p.answers[0]!]);

    const client = new MongoClient(`mongodb://127.0.0.1:${dbPort}/candor?directConnection=true`);
    await client.connect();
    const erasures = () => client.db('candor').collection('erasures');

    // Erase all of them at once; SIGKILL the server the moment the first tombstone is written.
    const deletes = candidates.map((c) => fetch(`${url}/api/sessions/${c.created.sessionId}`, { method: 'DELETE', headers: auth }).then((r) => r.status, () => 'cut'));
    const deadline = Date.now() + 10_000;
    while ((await erasures().countDocuments({})) === 0) {
      if (Date.now() > deadline) throw new Error('no erasure started');
    }
    expect(await first.kill('SIGKILL')).toBe('SIGKILL');
    await client.close();
    const answered = await Promise.all(deletes);

    const second = await startCandorProcess(env);
    running.push(second);
    const after = new MongoClient(`mongodb://127.0.0.1:${dbPort}/candor?directConnection=true`);
    await after.connect();
    try {
      const db = after.db('candor');
      // Every erasure the dead process had begun was finished at start, before listening.
      const tombstones = await db.collection('erasures').find({}).toArray();
      expect(tombstones.length).toBeGreaterThan(0);
      expect(tombstones.filter((t) => t['status'] !== 'done')).toEqual([]);
      const begun = tombstones.length;
      const cut = answered.filter((s) => s !== 204).length;
      console.log(`kill -9: ${answered.filter((s) => s === 204).length} DELETEs answered 204 before the kill, ${cut} cut; ${begun} erasures begun, all finished by the restarted server`);
      // Tombstoned interviews are gone with all their text.
      const erasedIds = new Set(tombstones.map((t) => t['clientSessionId'] as string));
      const erasedNeedles = people.flatMap((p, i) => (erasedIds.has(candidates[i]!.clientSessionId) ? [p.name, p.answers[0]!] : []));
      expect(await findEverywhere(db, erasedNeedles)).toEqual([]);

      // A client retries the DELETEs the kill cut off: 204 for the rest, then 404 for all.
      for (const c of candidates) {
        const status = (await fetch(`${second.url}/api/sessions/${c.created.sessionId}`, { method: 'DELETE', headers: auth })).status;
        expect([204, 404]).toContain(status);
        expect(status === 404).toBe(erasedIds.has(c.clientSessionId));
      }
      for (const c of candidates) expect((await fetch(`${second.url}/api/sessions/${c.created.sessionId}`, { method: 'DELETE', headers: auth })).status).toBe(404);
      expect(await findEverywhere(db, needles)).toEqual([]);
    } finally {
      await after.close();
    }
  }, 120_000);
});
