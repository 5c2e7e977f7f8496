import { randomUUID } from 'node:crypto';
import type { VoiceSessionResponse } from '../../../shared/voice.js';
import { TestCandidate } from './candidate.js';
import type { TestServer } from './server.js';
import { LINES, sendWebhook, startVoice, waitFor } from '../voice/helpers.js';

/** Creates a session with this candidate name (and candidateId) and returns a connected-capable candidate. */
export async function namedCandidate(
  server: { url: string },
  opts: { name: string; mode: 'text' | 'voice'; candidateId?: string; role?: string },
): Promise<TestCandidate> {
  const clientSessionId = randomUUID();
  const res = await fetch(`${server.url}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      clientSessionId,
      mode: opts.mode,
      role: opts.role ?? 'backend-engineer',
      candidateName: opts.name,
      ...(opts.candidateId ? { candidateId: opts.candidateId } : {}),
    }),
  });
  if (res.status !== 201) throw new Error(`create: ${res.status} ${await res.text()}`);
  return TestCandidate.create(server.url, { clientSessionId, mode: opts.mode });
}

/** A real typed interview: the candidate answers `answers` in order, ends it, and the evaluation completes. */
export async function textInterview(server: { url: string }, opts: { name: string; answers: string[] }): Promise<TestCandidate> {
  const c = await namedCandidate(server, { name: opts.name, mode: 'text' });
  await c.connect();
  await c.start();
  for (const [i, text] of opts.answers.entries()) {
    await c.awaitingAnswer();
    const ack = await c.answer(text, `a${i}`);
    if ((ack as { ok?: boolean }).ok !== true) throw new Error(`answer refused: ${JSON.stringify(ack)}`);
    await c.nextQuestion(`a${i}`);
  }
  await c.awaitingAnswer();
  await c.emit('interview:end', { endedBy: 'user' });
  await c.until((v) => v.evaluationStatus === 'complete', 15_000, 'evaluation');
  c.disconnect();
  return c;
}

/**
 * A simulated voice interview: the candidate says `lines` live; with `webhook`
 * a signed post-call webhook (transcript `webhookLines`) links it, else it stays
 * with its live lines only. Needs a server with SIMULATED_WEBHOOK=off.
 */
export async function voiceInterview(
  server: TestServer,
  opts: { name: string; lines: string[]; webhook: boolean; webhookLines?: typeof LINES; candidateId?: string },
): Promise<{ candidate: TestCandidate; start: VoiceSessionResponse }> {
  const c = await namedCandidate(server, { name: opts.name, mode: 'voice', candidateId: opts.candidateId ?? `cand_${randomUUID().slice(0, 8)}` });
  const start = await startVoice(c, { webhook: 'off' });
  await c.connect();
  await c.emit('voice:started', { agentId: start.agentId });
  for (const [i, text] of opts.lines.entries()) {
    const ack = await c.emit('voice:transcript', { messageId: `live_${i}`, role: 'user', text });
    if ((ack as { ok?: boolean }).ok !== true) throw new Error(`live line refused: ${JSON.stringify(ack)}`);
  }
  await c.emit('voice:ended', { endedBy: 'user', conversationId: start.conversationId! });
  if (opts.webhook) {
    const hook = await sendWebhook(server, {
      conversationId: start.conversationId!,
      agentId: start.agentId,
      userId: start.userId,
      clientSessionId: c.clientSessionId,
      ...(opts.webhookLines ? { lines: opts.webhookLines } : {}),
    });
    if (hook.status !== 200) throw new Error(`webhook: ${hook.status}`);
    await waitFor(
      async () => (await c.rest('GET', `/api/sessions/by-client/${c.clientSessionId}`)).body as { evaluationStatus: string | null },
      (r) => r.evaluationStatus === 'complete',
      10_000,
      'voice evaluation',
    );
  }
  c.disconnect();
  return { candidate: c, start };
}

/** Bearer headers for the recruiter. */
export function recruiterHeaders(server: TestServer): Record<string, string> {
  return { authorization: `Bearer ${server.config.recruiterToken}` };
}
