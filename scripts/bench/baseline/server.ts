/**
 * The fan-out baseline: a bare socket.io server (no auth, no store, no Redis, no zod) that
 * streams the same token pattern as Candor's scripted interviewer to the same socket layout.
 * Slot i has one candidate socket on /interview (room `session:i`) and watchers on /monitor
 * (room `watch:i`); every token is emitted to both rooms, like SocketBroadcaster does.
 * Tokens and pacing come from ScriptedInterviewer itself (SCRIPTED_TOKEN_DELAY_MS, jitter
 * 0.3, x2.5 after a sentence end), so only the server around them differs.
 *
 * Env: SCRIPTED_TOKEN_DELAY_MS (default 50). IPC: {type: 'start', slots} starts streaming,
 * question after question, until the process is stopped. Prints `baseline listening on <url>`.
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
for (const [nsp, prefix] of [['/interview', 'session'], ['/monitor', 'watch']] as const) {
  io.of(nsp).on('connection', (socket) => {
    const slot = Number((socket.handshake.auth as { slot?: unknown }).slot);
    void socket.join(`${prefix}:${slot}`);
  });
}

let stopped = false;
async function streamSlot(slot: number): Promise<void> {
  for (let n = 1; !stopped; n++) {
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
