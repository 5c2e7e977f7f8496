import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_JSON_SCHEMA_PATH, candidateExportSchema, type CandidateExport, type RecruiterExport } from '../../../shared/export.js';
import { candidateTokenFor } from '../../src/interview/candidateToken.js';
import { namedCandidate, recruiterHeaders, textInterview, voiceInterview } from '../support/interviews.js';
import { pdfPages as readPdfPages, renderPdf } from '../support/pdf.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { LINES } from '../voice/helpers.js';

/**
 * Exports of real interviews (docs/exports.md): a typed one and two voice ones
 * (post-call transcript linked / live lines only), in JSON (validated against
 * the schema the server publishes), Markdown and PDF (text extracted per page
 * with pdfjs, pages rendered to PNG with pdfjs + @napi-rs/canvas for a person to look at).
 */

const TEXT_NAME = 'Zoë Łukasiewicz';
const TEXT_ANSWERS = [
  'I rebuilt the billing ledger as an append-only event log so that every correction became a new entry.',
  'We kept idempotency keys under a unique index; a retried charge found its key and returned the first result.',
  'For the *hot* path I would measure p99 first, then cache = the read model <b>only</b> where it pays.',
];
const VOICE_NAME = 'Андрей Воронов';
/** A long call, so the PDF spans several pages. */
const LONG_CALL = Array.from({ length: 40 }, (_, i) =>
  i % 2 === 0
    ? { role: 'agent' as const, text: `Question ${i / 2 + 1}: walk me through a production incident you handled and what you changed afterwards.`, timeInCallSecs: i * 20 }
    : {
        role: 'user' as const,
        text: `Answer ${(i + 1) / 2}: we saw queue lag climb, traced it to a poison message, added a dead-letter queue and an alert on consumer age; the fix held for months.`,
        timeInCallSecs: i * 20 + 8,
      },
);

const pngDir = process.env.CANDOR_EXPORT_PNG_DIR ?? path.join(tmpdir(), 'candor-export-pngs');
let server: TestServer;
let work: string;
const ajv = new Ajv2020({ strict: true, validateFormats: false, allErrors: true });
let validate: ReturnType<Ajv2020['compile']>;

beforeAll(async () => {
  server = await startTestServer({ SIMULATED_WEBHOOK: 'off', RETENTION_DAYS: '30' });
  work = mkdtempSync(path.join(tmpdir(), 'candor-exports-'));
  mkdirSync(pngDir, { recursive: true });
  const schema = await fetch(`${server.url}${EXPORT_JSON_SCHEMA_PATH}`);
  expect(schema.headers.get('content-type')).toMatch(/application\/schema\+json/);
  validate = ajv.compile((await schema.json()) as object);
}, 30_000);
afterAll(async () => {
  await server?.close();
});

async function get(pathname: string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${server.url}${pathname}`, { headers });
}

async function exportAs(sessionId: string, format: 'json' | 'md' | 'pdf'): Promise<Response> {
  const res = await get(`/api/sessions/${sessionId}/export?format=${format}`, recruiterHeaders(server));
  expect(res.status).toBe(200);
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(res.headers.get('content-disposition')).toMatch(new RegExp(`attachment; filename="candor-interview-${sessionId}\\.${format}"`));
  return res;
}

/** The PDF's text page by page, read as a viewer does (pdfjs). */
function pdfPages(file: string): Promise<string[]> {
  return readPdfPages(readFileSync(file));
}

/** Every page rendered to PNG under CANDOR_EXPORT_PNG_DIR, for a person to look at. */
function renderPng(file: string, prefix: string): Promise<string[]> {
  return renderPdf(readFileSync(file), pngDir, prefix);
}

async function savePdf(res: Response, name: string): Promise<string> {
  expect(res.headers.get('content-type')).toBe('application/pdf');
  const bytes = Buffer.from(await res.arrayBuffer());
  expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
  const file = path.join(work, name);
  writeFileSync(file, bytes);
  return file;
}

function expectValid(body: unknown): void {
  const ok = validate(body);
  expect(validate.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
}

describe('recruiter exports', () => {
  let textId: string;

  it('a typed interview exports as JSON that validates against the published schema', async () => {
    const c = await textInterview(server, { name: TEXT_NAME, answers: TEXT_ANSWERS });
    textId = c.created.sessionId;
    const body = (await (await exportAs(textId, 'json')).json()) as RecruiterExport;
    expectValid(body);
    expect(body).toMatchObject({
      schemaVersion: 'candor.export.v1',
      audience: 'recruiter',
      session: { id: textId, mode: 'text', status: 'completed', endedBy: 'user', role: { id: 'backend-engineer', title: 'Backend Engineer' }, candidate: { name: TEXT_NAME } },
      transcript: { source: 'text' },
      evaluation: { status: 'complete' },
      voice: null,
      notes: [],
    });
    const answers = body.transcript.entries.filter((e) => e.speaker === 'candidate').map((e) => e.text);
    expect(answers).toEqual(TEXT_ANSWERS);
    expect(body.questions.length).toBeGreaterThanOrEqual(3);
    expect(body.questions[0]).toMatchObject({ number: 1, phase: 'warmup' });
    expect(body.questions.slice(0, 3).every((q) => q.text !== null && q.score !== null)).toBe(true);
    // RETENTION_DAYS=30: deleted 30 days after the end — in the export and in the recruiter's list.
    expect(Date.parse(body.session.deleteAfter!) - Date.parse(body.session.endedAt!)).toBe(30 * 86_400_000);
    const list = (await (await get('/api/sessions?limit=100', recruiterHeaders(server))).json()) as { items: Array<{ sessionId: string; deleteAfter: string | null }> };
    expect(list.items.find((i) => i.sessionId === textId)?.deleteAfter).toBe(body.session.deleteAfter);
  }, 30_000);

  it('the same interview as Markdown reads as is and cannot inject markup', async () => {
    const res = await exportAs(textId, 'md');
    expect(res.headers.get('content-type')).toMatch(/^text\/markdown/);
    const md = await res.text();
    expect(md).toMatch(new RegExp(`^# Interview: ${TEXT_NAME}`));
    for (const heading of ['## Evaluation', '## Questions', '## Focus signals', '## Transcript']) expect(md).toContain(heading);
    expect(md).toContain(`**${TEXT_NAME}** · `);
    expect(md).toContain(`> ${TEXT_ANSWERS[0]}`);
    // The third answer's markup is escaped, not live.
    expect(md).toContain('For the \\*hot\\* path I would measure p99 first, then cache = the read model \\<b\\>only\\</b\\> where it pays.');
    expect(md).not.toContain('<b>');
  }, 15_000);

  it('the same interview as a PDF has the candidate and role on every page', async () => {
    const file = await savePdf(await exportAs(textId, 'pdf'), 'text.pdf');
    const pages = await pdfPages(file);
    expect(pages.length).toBeGreaterThanOrEqual(1);
    pages.forEach((page, i) => {
      expect(page).toContain(`${TEXT_NAME} · Backend Engineer`);
      expect(page).toContain(`Page ${i + 1} of ${pages.length}`);
    });
    const all = pages.join('\n').replace(/\s+/g, ' ');
    expect(all).toContain('rebuilt the billing ledger');
    expect(all).toContain('Evaluation');
    const pngs = await renderPng(file, 'text-');
    expect(pngs.length).toBe(pages.length);
    for (const png of pngs) expect(statSync(png).size).toBeGreaterThan(5_000);
  }, 20_000);

  it('a voice interview exports its linked post-call transcript in all three formats, over several PDF pages', async () => {
    const { candidate, start } = await voiceInterview(server, { name: VOICE_NAME, lines: ['a live line that the webhook replaces'], webhook: true, webhookLines: LONG_CALL });
    const id = candidate.created.sessionId;
    const body = (await (await exportAs(id, 'json')).json()) as RecruiterExport;
    expectValid(body);
    expect(body.transcript.source).toBe('webhook');
    expect(body.transcript.entries).toHaveLength(LONG_CALL.length);
    expect(body.transcript.entries[1]).toMatchObject({ speaker: 'candidate', source: 'webhook', at: null, timeInCallSecs: 28 });
    expect(body.voice).toMatchObject({ conversationId: start.conversationId, linkedBy: 'conversation_id', durationSecs: 60 });

    const md = await (await exportAs(id, 'md')).text();
    expect(md).toContain('## Voice call');
    expect(md).toContain(`**${VOICE_NAME}** · 0:28 into the call`);
    expect(md).not.toContain('a live line that the webhook replaces');

    const file = await savePdf(await exportAs(id, 'pdf'), 'voice.pdf');
    const pages = await pdfPages(file);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    pages.forEach((page, i) => {
      expect(page).toContain(`${VOICE_NAME} · Backend Engineer`);
      expect(page).toContain(`Page ${i + 1} of ${pages.length}`);
    });
    expect(pages.join('\n').replace(/\s+/g, ' ')).toContain('Answer 20: we saw queue lag climb');
    expect((await renderPng(file, 'voice-')).length).toBe(pages.length);
  }, 30_000);

  it('a voice interview whose post-call transcript never came exports the live lines', async () => {
    const { candidate } = await voiceInterview(server, { name: 'Live Only', lines: ['I am speaking live.', 'No webhook will ever come.'], webhook: false });
    const id = candidate.created.sessionId;
    const body = (await (await exportAs(id, 'json')).json()) as RecruiterExport;
    expectValid(body);
    expect(body.transcript.source).toBe('voice_live');
    expect(body.transcript.entries.filter((e) => e.speaker === 'candidate').map((e) => e.text)).toEqual(['I am speaking live.', 'No webhook will ever come.']);
    expect(body.evaluation).toBeNull();
    const md = await (await exportAs(id, 'md')).text();
    expect(md).toContain('the lines captured live during the call (no post-call transcript arrived)');
    const pages = await pdfPages(await savePdf(await exportAs(id, 'pdf'), 'live.pdf'));
    expect(pages.join('\n')).toContain('No webhook will ever come.');
  }, 20_000);

  it('exports need the recruiter token and an existing interview', async () => {
    expect((await get(`/api/sessions/${textId}/export`, {})).status).toBe(401);
    expect((await get(`/api/sessions/0123456789abcdef01234567/export`, recruiterHeaders(server))).status).toBe(404);
    expect((await get(`/api/sessions/${textId}/export?format=docx`, recruiterHeaders(server))).status).toBe(400);
  });
});

describe("the candidate's own export", () => {
  const RECRUITER_ONLY = ['questions', 'plan', 'evaluation', 'focus', 'notes', 'voice'];

  it('holds their transcript and feedback and nothing recruiter-only, in all three formats', async () => {
    const c = await textInterview(server, { name: 'Grace Hopper', answers: ['My first compiler turned formulas into machine code.'] });
    const headers = { authorization: `Bearer ${c.candidateToken}` };
    const res = await get(`/api/sessions/by-client/${c.clientSessionId}/export?format=json`, headers);
    expect(res.status).toBe(200);
    const body = (await res.json()) as CandidateExport;
    expectValid(body);
    expect(candidateExportSchema.safeParse(body).success).toBe(true);
    expect(Object.keys(body).sort()).toEqual(['audience', 'feedback', 'generatedAt', 'schemaVersion', 'session', 'transcript']);
    for (const key of RECRUITER_ONLY) expect(body).not.toHaveProperty(key);
    expect(body.session).not.toHaveProperty('candidate');
    expect(body.session).not.toHaveProperty('endedBy');
    expect(body.audience).toBe('candidate');
    expect(body.transcript.entries.some((e) => e.text === 'My first compiler turned formulas into machine code.')).toBe(true);
    expect(body.feedback).not.toBeNull();
    for (const comp of body.feedback!.competencies) expect(Object.keys(comp).sort()).toEqual(['name', 'score']);

    const recruiterView = (await (await exportAs(c.created.sessionId, 'json')).json()) as RecruiterExport;
    const evidence = recruiterView.evaluation?.result?.competencies.flatMap((x) => (x.evidence ? [x.evidence] : [])) ?? [];
    const md = await (await get(`/api/sessions/by-client/${c.clientSessionId}/export?format=md`, headers)).text();
    expect(md).toContain('## Feedback');
    for (const hidden of ['## Questions', '## Focus signals', '## Evaluation', 'Recruiter notes', ...evidence]) expect(md).not.toContain(hidden);
    const pdfRes = await get(`/api/sessions/by-client/${c.clientSessionId}/export?format=pdf`, headers);
    expect(pdfRes.headers.get('content-disposition')).toContain('-transcript.pdf');
    const file = await savePdf(pdfRes, 'candidate.pdf');
    const text = (await pdfPages(file)).join('\n');
    expect(text).toContain('Grace Hopper · Backend Engineer');
    expect(text).not.toContain('Focus signals');
    expect((await renderPng(file, 'candidate-')).length).toBeGreaterThanOrEqual(1);
  }, 30_000);

  it("only the session's own token opens it", async () => {
    const a = await namedCandidate(server, { name: 'A', mode: 'text' });
    const b = await namedCandidate(server, { name: 'B', mode: 'text' });
    const path = `/api/sessions/by-client/${a.clientSessionId}/export`;
    expect((await get(path, {})).status).toBe(401);
    expect((await get(path, { authorization: `Bearer ${b.candidateToken}` })).status).toBe(401);
    expect((await get(path, recruiterHeaders(server))).status).toBe(401);
    expect((await get(path, { authorization: `Bearer ${candidateTokenFor(server.config.sessionSecret, a.clientSessionId)}` })).status).toBe(200);
  });
});
