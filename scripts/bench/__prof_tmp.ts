import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { connectMongoose } from '../../server/src/db/connection.js';
import { EmbeddedMongo } from '../../server/src/db/embedded/index.js';
import { createRepository } from '../../server/src/db/repository/index.js';
import { closedLoop } from './harness.js';
const dur = (process.env['DUR'] ?? 'none') as 'none' | 'fsync';
const mongo = await EmbeddedMongo.start({ dir: await mkdtemp(path.join(os.tmpdir(), 'p-')), durability: dur });
const conn = await connectMongoose(mongo.uri('bench'), { maxPoolSize: 100 });
const repo = await createRepository(conn);
let seq = 0;
const t0 = performance.now(); let total = 0; let t = 0;
for (let round = 0; round < 6; round++) {
  const ids: string[] = [];
  for (let i = 0; i < 50; i++) { const id = randomUUID(); await repo.createSession({ clientSessionId: id, mode: 'text', role: 'backend-engineer' }); await repo.transition(id, { from: ['created'], to: 'active' }); ids.push(id); }
  const r = await closedLoop(Number(process.env['C'] ?? 16), 2000, 60000, async (i) => {
    const n = seq++;
    const res = await repo.appendMessage(ids[i % 50]!, { id: `m-${n}`, role: 'candidate', source: 'text', text: 'x'.repeat(300), at: new Date() }, { allowedStatuses: ['active'] });
    if (res.outcome !== 'stored') throw new Error('x');
  });
  total += r.ops; t += r.elapsedMs;
}
console.log(dur, 'appends/s', Math.round(total / t * 1000), 'total ms', Math.round(performance.now() - t0));
await conn.close(); await mongo.close();
