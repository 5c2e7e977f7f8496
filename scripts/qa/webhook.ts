/**
 * npm run qa:webhook -- --session <clientSessionId> [--delay 30s] [--no-conversation-id]
 *   [--no-dynamic-vars] [--duplicate 3] [--bad-signature] [--stale] [--target URL] [--secret S]
 *   [--data-dir ./data] [--session-secret S | --token <candidateToken>]
 *   [--conversation-id ID] [--user ID] [--agent ID]
 *
 * Builds a real-shaped post_call_transcription for a session and sends it,
 * correctly signed with ELEVENLABS_WEBHOOK_SECRET (or deliberately forged/stale).
 * The session is read through GET /api/sessions/by-client/:id with a candidate
 * token derived from SESSION_SECRET (both secrets come from --flags, the
 * environment, or DATA_DIR/generated-secrets.json of a dev server); without
 * them pass --agent (and --user / --conversation-id) yourself.
 * Prints ids, HTTP statuses and the session's state afterwards — never transcript text.
 */
import { parseArgs } from 'node:util';
import { candidateTokenFor } from '../../server/src/interview/candidateToken.js';
import type { TranscriptLine } from '../../shared/interview.js';
import { Api, DEFAULT_TARGET, loadSecrets, newConversationId, parseDuration, readResults, sendQaWebhook, sleep } from './lib.js';

const { values } = parseArgs({
  options: {
    session: { type: 'string' },
    delay: { type: 'string' },
    'no-conversation-id': { type: 'boolean', default: false },
    'no-dynamic-vars': { type: 'boolean', default: false },
    duplicate: { type: 'string' },
    'bad-signature': { type: 'boolean', default: false },
    stale: { type: 'boolean', default: false },
    target: { type: 'string', default: process.env['CANDOR_URL'] ?? DEFAULT_TARGET },
    secret: { type: 'string' },
    'session-secret': { type: 'string' },
    token: { type: 'string' },
    'data-dir': { type: 'string' },
    'conversation-id': { type: 'string' },
    user: { type: 'string' },
    agent: { type: 'string' },
  },
  strict: true,
});

async function main(): Promise<void> {
  const csid = values.session;
  if (!csid) throw new Error('--session <clientSessionId> is required');
  const secrets = loadSecrets({
    ...(values.secret ? { secret: values.secret } : {}),
    ...(values['session-secret'] ? { sessionSecret: values['session-secret'] } : {}),
    ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
  });
  if (!secrets.webhookSecret && !values['bad-signature']) throw new Error('no webhook secret: pass --secret, set ELEVENLABS_WEBHOOK_SECRET, or --data-dir of the server');
  const api = new Api(values.target);
  const token = values.token ?? (secrets.sessionSecret ? candidateTokenFor(secrets.sessionSecret, csid) : undefined);

  let agentId = values.agent;
  let userId = values.user;
  let known: string | undefined;
  let startedAt: Date | undefined;
  let lines: TranscriptLine[] = [];
  if (token) {
    const r = await readResults(api, csid, token);
    agentId ??= r.voice?.agentId ?? undefined;
    userId ??= r.voice?.userId ?? undefined;
    known = r.conversationId ?? undefined;
    startedAt = r.voice?.startedAt ? new Date(r.voice.startedAt) : undefined;
    lines = (r.messages ?? []).filter((m) => m.source === 'voice_live').map((m) => ({ role: m.role === 'interviewer' ? 'agent' : 'user', text: m.text }));
  }
  if (!agentId) throw new Error('cannot read the session (no SESSION_SECRET / --token): pass --agent (and --user)');
  const conversationId = values['conversation-id'] ?? (values['no-conversation-id'] || !known ? newConversationId() : known);
  const delay = parseDuration(values.delay, 0);
  const duplicate = values.duplicate ? Number.parseInt(values.duplicate, 10) : 1;
  process.stdout.write(
    `${JSON.stringify({ session: csid, conversationId, knownToSession: conversationId === known, dynamicVariables: !values['no-dynamic-vars'], delayMs: delay, duplicate, badSignature: values['bad-signature'], stale: values.stale, lines: lines.length })}\n`,
  );
  if (delay > 0) await sleep(delay);
  const results = await sendQaWebhook({
    target: values.target,
    secret: secrets.webhookSecret ?? 'unused',
    conversationId,
    agentId,
    ...(userId ? { userId } : {}),
    clientSessionId: csid,
    omitDynamicVariables: values['no-dynamic-vars'],
    ...(startedAt ? { startedAt } : {}),
    lines,
    badSignature: values['bad-signature'],
    stale: values.stale,
    duplicate,
  });
  results.forEach((r, i) => process.stdout.write(`${JSON.stringify({ delivery: i + 1, status: r.status, body: safeBody(r.body) })}\n`));
  if (token) {
    await sleep(1000);
    const after = await readResults(api, csid, token);
    process.stdout.write(`${JSON.stringify({ session: csid, status: after.status, conversationId: after.conversationId, voice: after.voice, evaluationStatus: after.evaluationStatus })}\n`);
  }
}

/** Our own responses only carry flags and error codes. */
function safeBody(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return `(${body.length} bytes)`;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`qa:webhook: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
