import { randomUUID } from 'node:crypto';
import express from 'express';
import { listen } from '../../../server/test/support/listen.js';
import { PlatformConversation, postCompletion } from '../../../server/src/voice/agentDriver.js';
import { startCandorChild } from '../load/procs.js';
import { JIT_WARMUP_MS } from './realtime.js';
import { percentile, round, type BenchRow, type Scenario } from '../harness.js';

/**
 * The ElevenLabs agent's Custom LLM turn (docs/voice.md): request -> first SSE content chunk,
 * as the platform sees it. Candor (child process, scripted interviewer with
 * SCRIPTED_TOKEN_DELAY_MS=0, embedded store): each request is a real voice turn — session
 * read, answer stored (①), plan step, first delta streamed — one session at a time, turn
 * after turn. Baseline: a bare express SSE endpoint in this run that parses the same JSON body
 * and writes its first chunk at once. The ratio and the added milliseconds are what to read.
 */
const KEY = 'bench-voice-llm-key-0123456789abcdef';
const FULL = { sessions: 20, turns: 10 };
const QUICK = { sessions: 2, turns: 3 };

function stats(label: string, sample: number[], base?: { p50: number; p99: number }): BenchRow & { p50: number; p99: number } {
  const p50 = percentile(sample, 50);
  const p99 = percentile(sample, 99);
  return {
    server: label,
    requests: sample.length,
    firstChunkP50ms: round(p50),
    firstChunkP99ms: round(p99),
    p50VsBaseline: base ? round(p50 / base.p50, 1) : null,
    p99VsBaseline: base ? round(p99 / base.p99, 1) : null,
    addedP50ms: base ? round(p50 - base.p50) : null,
    addedP99ms: base ? round(p99 - base.p99) : null,
    p50,
    p99,
  };
}

/** A bare SSE endpoint speaking the same wire format: parse the body, stream 5 chunks, [DONE]. */
async function startBaseline(): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  app.post('/llm/v1/chat/completions', express.json({ limit: '1mb' }), (req, res) => {
    const messages = (req.body as { messages?: unknown[] }).messages ?? [];
    res.status(200);
    res.setHeader('content-type', 'text/event-stream; charset=utf-8');
    res.setHeader('cache-control', 'no-cache, no-transform');
    req.socket.setNoDelay(true);
    res.flushHeaders();
    const chunk = (content: string) =>
      `data: ${JSON.stringify({ id: 'chatcmpl-x', object: 'chat.completion.chunk', created: 0, model: 'baseline', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
    for (let i = 0; i < 5; i++) res.write(chunk(`word${i + messages.length} `));
    res.end('data: [DONE]\n\n');
  });
  const server = await listen(app as unknown as Parameters<typeof listen>[0]);
  return { url: `${server.url}/llm/v1/chat/completions`, close: server.close };
}

async function createVoiceSession(base: string): Promise<string> {
  const clientSessionId = randomUUID();
  const created = await fetch(`${base}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ clientSessionId, mode: 'voice', role: 'backend-engineer' }),
  });
  const { candidateToken } = (await created.json()) as { candidateToken: string };
  const started = await fetch(`${base}/api/voice/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${candidateToken}` },
    body: JSON.stringify({ clientSessionId, simulate: { omitConversationId: true, webhook: 'off' } }),
  });
  if (started.status !== 200) throw new Error(`voice session: ${started.status}`);
  return clientSessionId;
}

export const voiceTurnScenario: Scenario = {
  name: 'voice-turn',
  description: 'Custom LLM endpoint: request -> first SSE chunk per voice turn (scripted interviewer), vs a bare express SSE endpoint in the same run',
  async run({ quick, log }) {
    const sizes = quick ? QUICK : FULL;
    const baseline = await startBaseline();
    const candor = await startCandorChild({ env: { VOICE_LLM_KEY: KEY, SCRIPTED_TOKEN_DELAY_MS: '0', TOKEN_FRAME_MS: '0' } });
    const baseSample: number[] = [];
    const candorSample: number[] = [];
    let errors = 0;
    try {
      // Warm-up (not recorded): one turn each, then whole sessions for JIT_WARMUP_MS (see realtime.ts).
      await postCompletion(baseline.url, KEY, { stream: true, messages: [{ role: 'system', content: 'x' }] });
      const session = async (record: boolean): Promise<void> => {
        const csid = await createVoiceSession(candor.url);
        const conversation = new PlatformConversation(`${candor.url}/llm/v1/chat/completions`, KEY, csid, `conv_${randomUUID().replace(/-/g, '')}`);
        for (let t = 0; t <= sizes.turns; t++) {
          // The same body to the baseline first, then the real turn (interleaved: same machine moment).
          const messages = t === 0 ? [...conversation.history] : [...conversation.history, { role: 'user', content: `Answer ${t}: I would partition by key and retry idempotently.` }];
          const b = await postCompletion(baseline.url, KEY, conversation.body(messages));
          if (b.firstChunkMs !== null && record) baseSample.push(b.firstChunkMs);
          const r = t === 0 ? await conversation.opening() : await conversation.answer(`Answer ${t}: I would partition by key and retry idempotently.`);
          if (r.status !== 200 || r.firstChunkMs === null || !r.done) errors += 1;
          else if (record) candorSample.push(r.firstChunkMs);
        }
      };
      const warmUntil = performance.now() + (quick ? 0 : JIT_WARMUP_MS);
      for (let w = 1; performance.now() < warmUntil; w++) {
        await session(false);
        if (w % 10 === 0) log(`voice-turn JIT warm-up: ${w} sessions`);
      }
      for (let s = 0; s < sizes.sessions; s++) {
        await session(true);
        log(`voice-turn session ${s + 1}/${sizes.sessions}`);
      }
    } finally {
      await candor.stop();
      await baseline.close();
    }
    const base = stats('baseline (bare express SSE)', baseSample);
    const measured = stats('candor /llm/v1', candorSample, base);
    const { p50: _a, p99: _b, ...baseRow } = base;
    const { p50: _c, p99: _d, ...candorRow } = measured;
    return [
      { ...baseRow, errors: 0 },
      { ...candorRow, errors },
    ];
  },
};
