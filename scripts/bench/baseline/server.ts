/**
 * The baseline: a bare socket.io server (no auth, no store, no Redis, no zod) with the same
 * socket layout and the same tokens as Candor's scripted interviewer. Slot i has one candidate
 * socket on /interview (room `session:i`) and watchers on /monitor (room `watch:i`); every
 * token is emitted to both rooms, like SocketBroadcaster does. Tokens and pacing come from
 * ScriptedInterviewer itself (SCRIPTED_TOKEN_DELAY_MS, jitter 0.3, x2.5 after a sentence end),
 * so only the server around them differs. Two ways to drive it:
 * - fan-out: IPC {type: 'start', slots} streams question after question on every slot until
 *   the process is stopped;
 * - the answer cycle (first-token, capacity): a candidate's `interview:start` / `answer:submit`
 *   is acked at once ({ok, messageId, seq}) and the next question streams to both rooms — the
 *   transport's answer -> ack -> token round trip with nothing stored.
 *
 * Env: SCRIPTED_TOKEN_DELAY_MS (default 50). Prints `baseline listening on <url>`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { EMPTY_PLAN } from '../../../shared/plan.js';
import { nextQuestion } from '../../../server/src/interview/plan.js';
import { ROLES } from '../../../server/src/interview/roles.js';
import { ScriptedInterviewer } from '../../../server/src/llm/scripted/index.js';

const delayMs = Number(process.env['SCRIPTED_TOKEN_DELAY_MS'] ?? 50);
const interviewer = new ScriptedInterviewer({ tokenDelayMs: delayMs });
const role = ROLES[0];
if (!role) throw new Error('no roles');

const httpServer = http.createServer();
const io = new Server(httpServer, { serveClient: false });
/** A slot: `auth.slot` (fan-out clients), else the candidate's clientSessionId (answer-cycle clients). */
const slotOf = (auth: unknown): string => {
  const a = auth as { slot?: unknown; clientSessionId?: unknown; sessionId?: unknown };
  return String(a.slot ?? a.clientSessionId ?? a.sessionId);
};
const questions = new Map<string, number>();

for (const [nsp, prefix] of [['/interview', 'session'], ['/monitor', 'watch']] as const) {
  io.of(nsp).on('connection', (socket) => {
    const slot = slotOf(socket.handshake.auth);
    void socket.join(`${prefix}:${slot}`);
    if (nsp !== '/interview') {
      socket.on('session:watch', (payload: { sessionId?: unknown }, ack?: (r: unknown) => void) => {
        void socket.join(`watch:${String(payload.sessionId)}`);
        ack?.({ ok: true });
      });
      return;
    }
    let seq = 0;
    socket.on('interview:start', (_payload: unknown, ack?: (r: unknown) => void) => {
      ack?.({ ok: true, status: 'active' });
      setImmediate(() => void askOne(slot));
    });
    socket.on('answer:submit', (payload: { messageId?: unknown }, ack?: (r: unknown) => void) => {
      seq += 2;
      ack?.({ ok: true, messageId: payload.messageId, seq });
      setImmediate(() => void askOne(slot));
    });
  });
}

let stopped = false;

/** Streams one question to the slot's two rooms. */
async function askOne(slot: string): Promise<void> {
  const n = (questions.get(slot) ?? 0) + 1;
  questions.set(slot, n);
  const step = nextQuestion(EMPTY_PLAN, role!, `slot-${slot}`);
  if (step.kind !== 'ask') return;
  const questionId = `q_${slot}_${n}`;
  const emit = (event: string, payload: object) => {
    io.of('/interview').to(`session:${slot}`).emit(event, payload);
    io.of('/monitor').to(`watch:${slot}`).emit(event, payload);
  };
  emit('question:start', { questionId, phase: step.phase, number: n });
  let index = 0;
  let text = '';
  const tokens = interviewer.streamQuestion({ sessionKey: `slot-${slot}`, role: role!, number: n, phase: step.phase, difficulty: step.difficulty, skill: step.skill, history: [] });
  for await (const delta of tokens) {
    if (stopped) return;
    if (delta.length === 0) continue;
    text += delta;
    emit('question:token', { questionId, index, text: delta });
    index++;
  }
  emit('question:end', { questionId, text });
}

async function streamSlot(slot: number): Promise<void> {
  while (!stopped) {
    await askOne(String(slot));
    // Candor waits for the candidate's answer and a store write here; a few ms is generous.
    await new Promise((r) => setTimeout(r, 5));
  }
}

process.on('message', (msg: unknown) => {
  const m = msg as { type?: string; slots?: number };
  if (m.type === 'start') for (let i = 0; i < (m.slots ?? 0); i++) void streamSlot(i);
});
process.on('SIGTERM', () => {
  stopped = true;
  void io.close(() => process.exit(0));
});

httpServer.listen(0, '127.0.0.1', () => {
  const { port } = httpServer.address() as AddressInfo;
  process.stdout.write(`baseline listening on http://127.0.0.1:${port}\n`);
});
