/**
 * npm run qa:scenarios [-- --target URL] [--secret S] [--data-dir ./data] [--reconcile-timeout 30s]
 *
 * Runs the voice webhook matrix against a running server in simulator mode (no
 * ELEVENLABS_API_KEY) and prints a table: scenario, expected, observed, pass/fail.
 * Every session it creates turns the simulator's own webhook off, so only the
 * webhooks sent here arrive. "webhook never arrives" waits for the reconciler:
 * start the target with a short RECONCILE_AFTER_MS (e.g. 5000) or it is skipped.
 * Exit code 1 when any scenario fails.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { SessionByClientWithVoice } from '../../shared/voice.js';
import { Api, DEFAULT_TARGET, QaSession, loadSecrets, newConversationId, parseDuration, pollUntil, sendQaWebhook, sleep } from './lib.js';

export interface ScenarioRow {
  scenario: string;
  expected: string;
  observed: string;
  result: 'pass' | 'FAIL' | 'skip';
}

export interface ScenarioOptions {
  target: string;
  secret: string;
  /** How long "webhook never arrives" may wait for the reconciler. */
  reconcileTimeoutMs?: number;
  linkTimeoutMs?: number;
}

type Scenario = { name: string; expected: string; run: (ctx: Ctx) => Promise<{ observed: string; pass: boolean | 'skip' }> };

interface Ctx {
  api: Api;
  opts: Required<ScenarioOptions>;
}

function describe(r: SessionByClientWithVoice): string {
  return `${r.status}${r.voice?.linkedBy ? ` by ${r.voice.linkedBy}` : ''}${r.voice ? ` (${r.voice.state}, ${r.voice.transcriptLines} lines)` : ''}`;
}

function isLinked(r: SessionByClientWithVoice): boolean {
  return r.status === 'completed' || (r.voice?.transcriptLines ?? 0) > 0;
}

async function linked(s: QaSession, ctx: Ctx): Promise<SessionByClientWithVoice> {
  return (await pollUntil(() => s.results(), (r) => r.status === 'completed', ctx.opts.linkTimeoutMs)).value;
}

async function session(ctx: Ctx, simulate: Parameters<QaSession['startVoice']>[0] = {}, candidateId?: string): Promise<QaSession> {
  const s = await QaSession.create(ctx.api, candidateId ? { candidateId } : {});
  const start = await s.startVoice(simulate);
  if (!start.simulated) throw new Error('the target is not in simulator mode (ELEVENLABS_API_KEY is set); qa:scenarios needs the simulator');
  return s;
}

function hook(ctx: Ctx, s: QaSession, over: Partial<Parameters<typeof sendQaWebhook>[0]> = {}) {
  const start = s.start!;
  return sendQaWebhook({
    target: ctx.opts.target,
    secret: ctx.opts.secret,
    conversationId: start.conversationId ?? newConversationId(),
    agentId: start.agentId,
    userId: start.userId,
    clientSessionId: s.clientSessionId,
    ...over,
  });
}

export const SCENARIOS: Scenario[] = [
  {
    name: 'webhook before client end',
    expected: 'completed by conversation_id; end keeps it',
    async run(ctx) {
      const s = await session(ctx);
      await hook(ctx, s);
      const first = await linked(s, ctx);
      const end = await s.end(s.start!.conversationId);
      const after = await s.results();
      return { observed: `${describe(first)}; end -> ${(end.body as { status?: string }).status}`, pass: after.status === 'completed' && after.voice?.linkedBy === 'conversation_id' };
    },
  },
  {
    name: 'client end before webhook',
    expected: 'ended_pending_webhook, then completed by conversation_id',
    async run(ctx) {
      const s = await session(ctx);
      await s.end();
      const pending = await s.results();
      await hook(ctx, s);
      const r = await linked(s, ctx);
      return { observed: `${pending.status} -> ${describe(r)}`, pass: pending.status === 'ended_pending_webhook' && r.voice?.linkedBy === 'conversation_id' };
    },
  },
  {
    name: 'webhook x3',
    expected: '3 x 200 (2 duplicates), linked once',
    async run(ctx) {
      const s = await session(ctx);
      await s.end();
      const res = await hook(ctx, s, { duplicate: 3 });
      const r = await linked(s, ctx);
      const dups = res.filter((x) => x.status === 200 && x.body.includes('"duplicate":true')).length;
      return {
        observed: `${res.map((x) => x.status).join(',')} (${dups} duplicates); ${describe(r)}`,
        pass: res.every((x) => x.status === 200) && dups === 2 && r.status === 'completed' && r.voice?.transcriptLines === 4,
      };
    },
  },
  {
    name: 'no conversationId on the client',
    expected: 'completed by dynamic_variable',
    async run(ctx) {
      const s = await session(ctx, { omitConversationId: true });
      await s.end();
      await hook(ctx, s, { conversationId: newConversationId() });
      const r = await linked(s, ctx);
      return { observed: describe(r), pass: r.voice?.linkedBy === 'dynamic_variable' };
    },
  },
  {
    name: 'no dynamic variables',
    expected: 'completed by time_window (one candidate)',
    async run(ctx) {
      const s = await session(ctx, { omitConversationId: true });
      await s.end();
      await hook(ctx, s, { conversationId: newConversationId(), omitDynamicVariables: true });
      const r = await linked(s, ctx);
      return { observed: describe(r), pass: r.voice?.linkedBy === 'time_window' };
    },
  },
  {
    name: 'two sessions, same user, in the window',
    expected: 'neither linked (orphan); merged into A when A reports the id',
    async run(ctx) {
      const person = `qa_${Math.random().toString(16).slice(2, 10)}`;
      const a = await session(ctx, { omitConversationId: true }, person);
      const b = await session(ctx, { omitConversationId: true }, person);
      await a.end();
      await b.end();
      const cid = newConversationId();
      await hook(ctx, a, { conversationId: cid, omitDynamicVariables: true });
      await sleep(500);
      const [ra, rb] = [await a.results(), await b.results()];
      // Not linked: no transcript on either (the reconciler may already have marked them, on a short RECONCILE_AFTER_MS).
      const notLinked = !isLinked(ra) && !isLinked(rb);
      await a.end(cid);
      const merged = await linked(a, ctx);
      const rb2 = await b.results();
      return {
        observed: `after webhook: A ${ra.status}, B ${rb.status}; after report: A ${describe(merged)}, B ${rb2.status}`,
        pass: notLinked && merged.voice?.linkedBy === 'merge' && !isLinked(rb2),
      };
    },
  },
  {
    name: 'webhook only (orphan, later merged)',
    expected: 'session untouched; merged by its later end with the id',
    async run(ctx) {
      const s = await session(ctx, { omitConversationId: true });
      const cid = newConversationId();
      await hook(ctx, s, { conversationId: cid, omitDynamicVariables: true, userId: 'qa_somebody_else' });
      await sleep(500);
      const before = await s.results();
      await s.end(cid);
      const r = await linked(s, ctx);
      return { observed: `${before.status} -> ${describe(r)}`, pass: before.status === 'active' && r.voice?.linkedBy === 'merge' && r.conversationId === cid };
    },
  },
  {
    name: 'forged signature',
    expected: '401, session not linked',
    async run(ctx) {
      const s = await session(ctx);
      await s.end();
      const [res] = await hook(ctx, s, { badSignature: true });
      await sleep(300);
      const r = await s.results();
      return { observed: `${res?.status}; ${r.status}`, pass: res?.status === 401 && !isLinked(r) };
    },
  },
  {
    name: 'stale timestamp',
    expected: '401, session not linked',
    async run(ctx) {
      const s = await session(ctx);
      await s.end();
      const [res] = await hook(ctx, s, { stale: true });
      await sleep(300);
      const r = await s.results();
      return { observed: `${res?.status}; ${r.status}`, pass: res?.status === 401 && !isLinked(r) };
    },
  },
  {
    name: 'webhook never arrives',
    expected: 'reconciler: transcript_missing (abandoned/timeout), never pending forever',
    async run(ctx) {
      const s = await session(ctx);
      await s.end();
      const pending = await s.results();
      const expectedBy = pending.voice?.expectedBy ? Date.parse(pending.voice.expectedBy) : NaN;
      const wait = expectedBy - Date.now() + 5_000;
      if (!Number.isFinite(wait) || wait > ctx.opts.reconcileTimeoutMs) {
        return { observed: `reconciler due in ${Math.round((expectedBy - Date.now()) / 1000)} s (run the target with RECONCILE_AFTER_MS=5000)`, pass: 'skip' };
      }
      const r = await pollUntil(() => s.results(), (x) => x.status !== 'ended_pending_webhook', wait);
      return { observed: describe(r.value), pass: r.value.voice?.state === 'transcript_missing' };
    },
  },
];

export async function runScenarios(options: ScenarioOptions, only?: string[]): Promise<ScenarioRow[]> {
  const opts: Required<ScenarioOptions> = { reconcileTimeoutMs: 30_000, linkTimeoutMs: 8_000, ...options };
  const ctx: Ctx = { api: new Api(opts.target), opts };
  const rows: ScenarioRow[] = [];
  await Promise.all(
    SCENARIOS.filter((s) => !only || only.includes(s.name)).map(async (s) => {
      try {
        const { observed, pass } = await s.run(ctx);
        rows.push({ scenario: s.name, expected: s.expected, observed, result: pass === 'skip' ? 'skip' : pass ? 'pass' : 'FAIL' });
      } catch (err) {
        rows.push({ scenario: s.name, expected: s.expected, observed: `error: ${err instanceof Error ? err.message : String(err)}`, result: 'FAIL' });
      }
    }),
  );
  const order = SCENARIOS.map((s) => s.name);
  return rows.sort((a, b) => order.indexOf(a.scenario) - order.indexOf(b.scenario));
}

export function formatTable(rows: ScenarioRow[]): string {
  const head: ScenarioRow = { scenario: 'scenario', expected: 'expected', observed: 'observed', result: 'pass' };
  const cols = ['scenario', 'expected', 'observed', 'result'] as const;
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => r[c].length)));
  const line = (r: Record<(typeof cols)[number], string>) => cols.map((c, i) => r[c].padEnd(width[i] ?? 0)).join(' | ');
  return [line({ ...head, result: 'result' }), width.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      target: { type: 'string', default: process.env['CANDOR_URL'] ?? DEFAULT_TARGET },
      secret: { type: 'string' },
      'data-dir': { type: 'string' },
      'reconcile-timeout': { type: 'string' },
    },
    strict: true,
  });
  const { webhookSecret } = loadSecrets({ ...(values.secret ? { secret: values.secret } : {}), ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}) });
  if (!webhookSecret) throw new Error('no webhook secret: pass --secret, set ELEVENLABS_WEBHOOK_SECRET, or --data-dir of the server');
  const rows = await runScenarios({ target: values.target, secret: webhookSecret, reconcileTimeoutMs: parseDuration(values['reconcile-timeout'], 30_000) });
  process.stdout.write(`${formatTable(rows)}\n`);
  const failed = rows.filter((r) => r.result === 'FAIL').length;
  process.stdout.write(`\n${rows.filter((r) => r.result === 'pass').length} passed, ${failed} failed, ${rows.filter((r) => r.result === 'skip').length} skipped\n`);
  process.exit(failed > 0 ? 1 : 0);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    process.stderr.write(`qa:scenarios: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
