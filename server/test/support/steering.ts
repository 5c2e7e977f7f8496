import { afterAll, beforeAll } from 'vitest';
import type { CreateRecruiterResponse } from '../../../shared/recruiters.js';
import { TestCandidate } from './candidate.js';
import { addRecruiter } from './recruiters.js';
import { startTestServer, type TestServer } from './server.js';

/**
 * One in-process server for a test file that steers interviews, started before
 * its tests and closed after them, with two recruiters: Ada Lovelace and Bob Builder.
 * `server`, `ada` and `bob` are set once the file's beforeAll has run.
 */
export class SteeringServer {
  server!: TestServer;
  ada!: CreateRecruiterResponse;
  bob!: CreateRecruiterResponse;

  /** A started text interview, first question on screen, with every raw event its socket receives. */
  async liveInterview() {
    const candidate = await TestCandidate.create(this.server.url);
    await candidate.connect();
    const seen: Array<{ event: string; payload: unknown }> = [];
    candidate.socket!.onAny((event: string, payload: unknown) => seen.push({ event, payload }));
    await candidate.start();
    await candidate.awaitingAnswer();
    return { candidate, seen, sessionId: candidate.created.sessionId };
  }

  /** The interview document as stored (raw, for assertions). */
  async stored(clientSessionId: string) {
    return (await this.server.connection.db!.collection('interviews').findOne({ clientSessionId }))!;
  }
}

/** Call once at module level: a server with `RECRUITER_TOKEN: adminToken` and the two recruiters, for the whole file. */
export function steeringServer(adminToken: string): SteeringServer {
  const s = new SteeringServer();
  beforeAll(async () => {
    s.server = await startTestServer({ RECRUITER_TOKEN: adminToken, HTTP_RATE_LIMIT: '0', LOG_LEVEL: 'warn' });
    [s.ada, s.bob] = await Promise.all([addRecruiter(s.server.url, adminToken, 'Ada Lovelace'), addRecruiter(s.server.url, adminToken, 'Bob Builder')]);
  });
  afterAll(async () => {
    await s.server?.close();
  });
  return s;
}
