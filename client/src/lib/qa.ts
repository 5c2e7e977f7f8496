import type { LinkedBy } from '../../../shared/interview.js';
import type { SessionByClientWithVoice, SimulatedDelivery, SimulatorControls } from '../../../shared/voice.js';
import { createSession, fetchQaDeliveries, fetchSessionByClient, startVoiceSession } from './api.js';
import { connectInterview, type InterviewSocket } from './sockets.js';

/**
 * QA scenarios driven through the voice simulator's per-session controls
 * (shared/voice.ts `simulate`): each run creates a fresh voice session, plays
 * a one-question call, ends it, and watches how the server links the
 * post-call webhook — and, for the delivery scenarios, what each of the
 * simulator's webhook deliveries got back (`GET /api/qa/deliveries/:id`).
 */
export interface Observation {
  status: string | null;
  voiceState: string | null;
  linkedBy: LinkedBy | null;
  /** Lines of the linked (webhook) transcript. */
  transcriptLines: number;
  /** Live lines of the call as the page saw them (what one webhook should carry). */
  liveLines?: number;
  forgedStatus?: number;
  /** The simulator's webhook deliveries for this session, oldest first. */
  deliveries?: SimulatedDelivery[];
}

export interface Scenario {
  id: string;
  title: string;
  /** What should happen, in words (shown in the table). */
  expected: string;
  controls: SimulatorControls;
  /** Also POST a webhook with a bad signature for this session. */
  forge?: boolean;
  /** Read the simulator's delivery log while watching. */
  deliveries?: boolean;
  /** How long to watch after the end before judging. */
  watchMs: number;
  /** Done watching early? */
  settled(o: Observation): boolean;
  /** What is wrong with the observation; empty when the scenario passed. */
  check(o: Observation): string[];
}

const linked =
  (by: LinkedBy) =>
  (o: Observation): string[] => {
    const problems: string[] = [];
    if (o.status !== 'completed') problems.push(`status is ${o.status ?? 'unknown'}, expected completed`);
    if (o.linkedBy !== by) problems.push(`linked by ${o.linkedBy ?? 'nothing'}, expected ${by}`);
    return problems;
  };

const stillPending = (o: Observation): string[] => {
  const problems: string[] = [];
  if (o.status !== 'ended_pending_webhook') problems.push(`status is ${o.status ?? 'unknown'}, expected ended_pending_webhook`);
  if (o.linkedBy !== null) problems.push(`linked by ${o.linkedBy}, expected no link`);
  return problems;
};

/** The delivery log as `kind status` pairs, e.g. `stale 401, valid 200`. */
export function describeDeliveries(deliveries: readonly SimulatedDelivery[] | undefined): string {
  if (!deliveries || deliveries.length === 0) return 'no deliveries';
  return deliveries.map((d) => `${d.kind} ${d.status}`).join(', ');
}

/** The linked transcript holds each live line once: N redeliveries must not append N copies. */
function transcriptOnce(o: Observation): string[] {
  if (o.transcriptLines === 0) return ['no transcript lines linked'];
  if (o.liveLines !== undefined && o.transcriptLines !== o.liveLines) {
    return [`transcript has ${o.transcriptLines} lines, the call had ${o.liveLines}${o.transcriptLines > o.liveLines ? ' (duplicated)' : ''}`];
  }
  return [];
}

/**
 * Webhook delivered `n` times: one valid delivery then n-1 identical
 * redeliveries, all answered 200; the session linked once by
 * conversation_id and its transcript not duplicated.
 */
export function checkDuplicates(n: number, o: Observation): string[] {
  const problems = linked('conversation_id')(o);
  const log = o.deliveries ?? [];
  const expectedKinds = ['valid', ...Array.from({ length: n - 1 }, () => 'duplicate')];
  if (log.length !== n) problems.push(`${log.length} deliveries (${describeDeliveries(log)}), expected ${n}`);
  else if (log.some((d, i) => d.kind !== expectedKinds[i])) problems.push(`deliveries were ${describeDeliveries(log)}, expected ${expectedKinds.join(', ')}`);
  const refused = log.filter((d) => d.status !== 200);
  if (refused.length > 0) problems.push(`not every delivery got 200: ${describeDeliveries(refused)}`);
  problems.push(...transcriptOnce(o));
  return problems;
}

/** A copy signed 31 minutes ago first (refused with 401), then the valid one (200) which links. */
export function checkStaleFirst(o: Observation): string[] {
  const problems = linked('conversation_id')(o);
  const log = o.deliveries ?? [];
  const [first, second, ...more] = log;
  if (!first || first.kind !== 'stale') problems.push(`first delivery was ${first ? `${first.kind} ${first.status}` : 'missing'}, expected the stale copy`);
  else if (first.status !== 401) problems.push(`the stale copy got ${first.status}, expected 401`);
  if (!second || second.kind !== 'valid') problems.push(`second delivery was ${second ? `${second.kind} ${second.status}` : 'missing'}, expected the valid one`);
  else if (second.status !== 200) problems.push(`the valid delivery got ${second.status}, expected 200`);
  if (more.length > 0) problems.push(`unexpected further deliveries: ${describeDeliveries(more)}`);
  problems.push(...transcriptOnce(o));
  return problems;
}

export const DUPLICATES = 3;

export const SCENARIOS: Scenario[] = [
  {
    id: 'delayed',
    title: 'Webhook delayed 5 s',
    expected: 'results wait, then linked by conversation_id',
    controls: { webhookDelayMs: 5_000 },
    watchMs: 25_000,
    settled: (o) => o.linkedBy !== null,
    check: linked('conversation_id'),
  },
  {
    id: 'no-conversation-id',
    title: 'No conversationId from the client',
    expected: 'linked by the client_session_id dynamic variable',
    controls: { omitConversationId: true, webhookDelayMs: 500 },
    watchMs: 20_000,
    settled: (o) => o.linkedBy !== null,
    check: linked('dynamic_variable'),
  },
  {
    id: 'no-ids',
    title: 'No conversationId, no dynamic variables',
    expected: 'linked by the time window (same user + agent, one candidate)',
    controls: { omitConversationId: true, omitDynamicVariables: true, webhookDelayMs: 500 },
    watchMs: 20_000,
    settled: (o) => o.linkedBy !== null,
    check: linked('time_window'),
  },
  {
    id: 'duplicate',
    title: `Webhook delivered ${DUPLICATES} times`,
    expected: `linked once; ${DUPLICATES} deliveries, all 200; transcript not duplicated`,
    controls: { duplicates: DUPLICATES, webhookDelayMs: 500 },
    deliveries: true,
    watchMs: 20_000,
    settled: (o) => o.linkedBy !== null && (o.deliveries?.length ?? 0) >= DUPLICATES,
    check: (o) => checkDuplicates(DUPLICATES, o),
  },
  {
    id: 'stale',
    title: 'Stale signature first',
    expected: 'stale copy → 401, then the valid one → 200 and linked',
    controls: { staleFirst: true, webhookDelayMs: 500 },
    deliveries: true,
    watchMs: 20_000,
    settled: (o) => o.linkedBy !== null && (o.deliveries?.length ?? 0) >= 2,
    check: checkStaleFirst,
  },
  {
    id: 'missing',
    title: 'Webhook never arrives',
    expected: 'stays pending (never linked by itself) until the reconciler runs',
    controls: { webhook: 'off' },
    watchMs: 6_000,
    settled: () => false,
    check: stillPending,
  },
  {
    id: 'forged',
    title: 'Forged webhook (bad signature)',
    expected: '401, nothing stored, the session stays pending',
    controls: { webhook: 'off' },
    forge: true,
    watchMs: 4_000,
    settled: () => false,
    check: (o) => [...(o.forgedStatus === 401 ? [] : [`forged webhook got ${o.forgedStatus ?? 'no answer'}, expected 401`]), ...stillPending(o)],
  },
];

export interface RunResult {
  clientSessionId: string;
  observation: Observation;
  passed: boolean;
  /** Why it failed (empty when passed). */
  problems: string[];
  ms: number;
}

function observe(data: SessionByClientWithVoice, extra: Pick<Observation, 'forgedStatus' | 'deliveries' | 'liveLines'>): Observation {
  return {
    status: data.status,
    voiceState: data.voice?.state ?? null,
    linkedBy: data.voice?.linkedBy ?? null,
    transcriptLines: data.voice?.transcriptLines ?? 0,
    ...(extra.liveLines !== undefined ? { liveLines: extra.liveLines } : {}),
    ...(extra.forgedStatus !== undefined ? { forgedStatus: extra.forgedStatus } : {}),
    ...(extra.deliveries !== undefined ? { deliveries: extra.deliveries } : {}),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function waitFor(socket: InterviewSocket, event: 'message:appended', predicate: (p: { role: string; source: string }) => boolean, ms: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, on);
      reject(new Error(`no ${event} within ${ms} ms`));
    }, ms);
    const on = (p: { role: string; source: string }) => {
      if (!predicate(p)) return;
      clearTimeout(timer);
      socket.off(event, on);
      resolve();
    };
    socket.on(event, on);
  });
}

function connected(socket: InterviewSocket): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    socket.once('session:state', () => resolve());
    socket.once('connect_error', (err) => reject(err));
  });
}

/** A webhook signed with a wrong secret; the server must answer 401 and store nothing. */
async function forgeWebhook(clientSessionId: string, conversationId: string): Promise<number> {
  const body = JSON.stringify({
    type: 'post_call_transcription',
    event_timestamp: Math.floor(Date.now() / 1000),
    data: {
      agent_id: 'agent_simulated',
      conversation_id: conversationId,
      status: 'done',
      transcript: [{ role: 'agent', message: 'FORGED transcript', time_in_call_secs: 0 }],
      conversation_initiation_client_data: { dynamic_variables: { client_session_id: clientSessionId } },
    },
  });
  const t = Math.floor(Date.now() / 1000);
  const res = await fetch('/webhooks/elevenlabs', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'ElevenLabs-Signature': `t=${t},v0=${'0'.repeat(64)}` },
    body,
  });
  return res.status;
}

export class NotSimulatedError extends Error {
  constructor() {
    super('This server talks to a real ElevenLabs agent, not the simulator: QA scenarios are disabled.');
  }
}

/** Runs one scenario end to end; `log` receives human-readable steps. */
export async function runScenario(scenario: Scenario, role: string, log: (line: string) => void): Promise<RunResult> {
  const started = Date.now();
  const clientSessionId = crypto.randomUUID();
  const created = await createSession({ clientSessionId, mode: 'voice', role, candidateName: `QA ${scenario.title}`.slice(0, 120), candidateId: `qa_${crypto.randomUUID()}` });
  log(`session ${clientSessionId} created`);
  const token = created.candidateToken;
  const voice = await startVoiceSession(token, { clientSessionId, simulate: scenario.controls });
  if (!voice.simulated) throw new NotSimulatedError();
  log(`voice session started (conversationId ${voice.conversationId ?? 'withheld'})`);

  const socket = connectInterview({ clientSessionId, candidateToken: token });
  const live = new Set<string>();
  socket.on('message:appended', (m) => {
    if (m.source === 'voice_live') live.add(m.id);
  });
  try {
    await connected(socket);
    const greeted = waitFor(socket, 'message:appended', (m) => m.role === 'interviewer', 10_000);
    await socket.timeout(10_000).emitWithAck('voice:started', { agentId: voice.agentId });
    if (voice.conversationId) await socket.timeout(10_000).emitWithAck('voice:conversation-id', { conversationId: voice.conversationId });
    await greeted;
    const replied = waitFor(socket, 'message:appended', (m) => m.role === 'interviewer', 10_000);
    await socket.timeout(10_000).emitWithAck('voice:transcript', { messageId: `qa:${clientSessionId}:1`, role: 'user', text: 'I built a payments API with idempotency keys and a ledger.' });
    await replied;
    log('one question answered; ending the call');
    const ended = await socket.timeout(10_000).emitWithAck('voice:ended', { endedBy: 'user', ...(voice.conversationId ? { conversationId: voice.conversationId } : {}) });
    if (!ended.ok) throw new Error(`voice:ended refused: ${ended.error.message}`);
  } finally {
    socket.disconnect();
  }

  let forgedStatus: number | undefined;
  if (scenario.forge) {
    forgedStatus = await forgeWebhook(clientSessionId, `sim_${clientSessionId}`);
    log(`forged webhook answered ${forgedStatus}`);
  }

  const liveLines = live.size;
  const look = async (): Promise<Observation> => {
    const [data, deliveries] = await Promise.all([
      fetchSessionByClient(clientSessionId, token),
      scenario.deliveries ? fetchQaDeliveries(clientSessionId, token) : Promise.resolve(undefined),
    ]);
    return observe(data, { liveLines, forgedStatus, deliveries });
  };
  const deadline = Date.now() + scenario.watchMs;
  let o = await look();
  while (Date.now() < deadline && !scenario.settled(o)) {
    await sleep(1_000);
    o = await look();
  }
  log(`observed status=${o.status} link=${o.linkedBy ?? 'none'} voice=${o.voiceState ?? '—'} lines=${o.transcriptLines}/${liveLines}`);
  if (o.deliveries) log(`deliveries: ${describeDeliveries(o.deliveries)}`);
  const problems = scenario.check(o);
  for (const p of problems) log(`problem: ${p}`);
  return { clientSessionId, observation: o, passed: problems.length === 0, problems, ms: Date.now() - started };
}
