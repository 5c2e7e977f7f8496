import type { LinkedBy } from '../../../shared/interview.js';
import type { SimulatorControls, SessionByClientWithVoice } from '../../../shared/voice.js';
import { createSession, fetchSessionByClient, startVoiceSession } from './api.js';
import { connectInterview, type InterviewSocket } from './sockets.js';

/**
 * QA scenarios driven through the voice simulator's per-session controls
 * (shared/voice.ts `simulate`) and the public endpoints only: each run
 * creates a fresh voice session, plays a one-question call, ends it, and
 * watches how the server links the post-call webhook.
 */
export interface Observation {
  status: string | null;
  voiceState: string | null;
  linkedBy: LinkedBy | null;
  transcriptLines: number;
  forgedStatus?: number;
}

export interface Scenario {
  id: string;
  title: string;
  /** What should happen, in words (shown in the table). */
  expected: string;
  controls: SimulatorControls;
  /** Also POST a webhook with a bad signature for this session. */
  forge?: boolean;
  /** How long to watch after the end before judging. */
  watchMs: number;
  /** Done watching early? */
  settled(o: Observation): boolean;
  pass(o: Observation): boolean;
}

const linked = (by: LinkedBy) => (o: Observation) => o.status === 'completed' && o.linkedBy === by;
const pending = (o: Observation) => o.status === 'ended_pending_webhook';

export const SCENARIOS: Scenario[] = [
  {
    id: 'delayed',
    title: 'Webhook delayed 5 s',
    expected: 'results wait, then linked by conversation_id',
    controls: { webhookDelayMs: 5_000 },
    watchMs: 25_000,
    settled: (o) => o.linkedBy !== null,
    pass: linked('conversation_id'),
  },
  {
    id: 'no-conversation-id',
    title: 'No conversationId from the client',
    expected: 'linked by the client_session_id dynamic variable',
    controls: { omitConversationId: true, webhookDelayMs: 500 },
    watchMs: 20_000,
    settled: (o) => o.linkedBy !== null,
    pass: linked('dynamic_variable'),
  },
  {
    id: 'no-ids',
    title: 'No conversationId, no dynamic variables',
    expected: 'linked by the time window (same user + agent, one candidate)',
    controls: { omitConversationId: true, omitDynamicVariables: true, webhookDelayMs: 500 },
    watchMs: 20_000,
    settled: (o) => o.linkedBy !== null,
    pass: linked('time_window'),
  },
  {
    id: 'missing',
    title: 'Webhook never arrives',
    expected: 'stays pending (never linked by itself) until the reconciler runs',
    controls: { webhook: 'off' },
    watchMs: 6_000,
    settled: () => false,
    pass: (o) => pending(o) && o.linkedBy === null,
  },
  {
    id: 'forged',
    title: 'Forged webhook (bad signature)',
    expected: '401, nothing stored, the session stays pending',
    controls: { webhook: 'off' },
    forge: true,
    watchMs: 4_000,
    settled: () => false,
    pass: (o) => o.forgedStatus === 401 && pending(o) && o.linkedBy === null,
  },
];

/** Scenarios that need the server to sign webhooks for the browser (not exposed over HTTP yet). */
export const SERVER_ONLY_SCENARIOS = [
  { id: 'duplicate', title: 'Duplicate webhook (×3)', expected: '200 each, one transcript, nothing changes', command: 'npm run qa:webhook -- --session <id> --duplicate 3' },
  { id: 'stale', title: 'Stale signature timestamp', expected: '401, nothing stored', command: 'npm run qa:webhook -- --session <id> --stale' },
];

export interface RunResult {
  clientSessionId: string;
  observation: Observation;
  passed: boolean;
  ms: number;
}

function observe(data: SessionByClientWithVoice, forgedStatus?: number): Observation {
  return {
    status: data.status,
    voiceState: data.voice?.state ?? null,
    linkedBy: data.voice?.linkedBy ?? null,
    transcriptLines: data.voice?.transcriptLines ?? 0,
    ...(forgedStatus !== undefined ? { forgedStatus } : {}),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function waitFor(socket: InterviewSocket, event: 'message:appended', predicate: (p: { role: string }) => boolean, ms: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, on);
      reject(new Error(`no ${event} within ${ms} ms`));
    }, ms);
    const on = (p: { role: string }) => {
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

  const deadline = Date.now() + scenario.watchMs;
  let o = observe(await fetchSessionByClient(clientSessionId, token), forgedStatus);
  while (Date.now() < deadline && !scenario.settled(o)) {
    await sleep(1_000);
    o = observe(await fetchSessionByClient(clientSessionId, token), forgedStatus);
  }
  log(`observed status=${o.status} link=${o.linkedBy ?? 'none'} voice=${o.voiceState ?? '—'}`);
  return { clientSessionId, observation: o, passed: scenario.pass(o), ms: Date.now() - started };
}
