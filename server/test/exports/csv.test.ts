import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSIONS_CSV_COLUMNS } from '../../../shared/export.js';
import { csvCell, csvRow } from '../../src/exports/csv.js';
import { ExportService } from '../../src/exports/exportService.js';
import { exportsRouter } from '../../src/http/exports.js';
import { errorHandler } from '../../src/http/middleware/errors.js';
import { requireRecruiter } from '../../src/http/recruiterAuth.js';
import { RecruiterAuth } from '../../src/recruiters/auth.js';
import { createLogger } from '../../src/observability/logger.js';
import { RetentionPolicy } from '../../src/privacy/retentionPolicy.js';
import { startTestStore, type TestStore } from '../support/store.js';

describe('CSV cells', () => {
  it('a cell that a spreadsheet would run as a formula is neutralised', () => {
    expect(csvCell('=HYPERLINK("http://evil","x")')).toBe(`"'=HYPERLINK(""http://evil"",""x"")"`);
    for (const start of ['=', '+', '-', '@', '\t', '\r']) expect(csvCell(`${start}1+1`).replace(/^"/, '').startsWith(`'${start}`)).toBe(true);
    expect(csvCell('Ada')).toBe('Ada');
    expect(csvCell('a-b=c')).toBe('a-b=c');
  });

  it('quotes per RFC 4180: commas, quotes and line breaks; rows end with CRLF', () => {
    expect(csvCell('Lovelace, Ada')).toBe('"Lovelace, Ada"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(7.5)).toBe('7.5');
    expect(csvRow(['a', null, 'b,c'])).toBe('a,,"b,c"\r\n');
  });
});

/** A minimal RFC 4180 parser for the assertions (quoted fields, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += 1;
    } else cell += ch;
  }
  return rows;
}

describe('GET /api/sessions.csv', () => {
  const ROWS = 6000;
  const TOKEN = 'recruiter-token-for-csv-tests';
  let store: TestStore;
  let server: http.Server;
  let base: string;
  /**
   * The same app on a Unix socket: its kernel buffers are fixed (~200 KB), while loopback TCP
   * autotunes up to tens of MB and can swallow the whole CSV while the client is paused.
   */
  let local: http.Server;
  let socketDir: string;
  let socketPath: string;
  const commands: string[] = [];

  beforeAll(async () => {
    store = await startTestStore();
    store.conn.getClient().on('commandStarted', (e) => commands.push(e.commandName));
    // Setup writes documents directly (thousands, fast); the route under test only reads.
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    const docs = Array.from({ length: ROWS }, (_, i) => {
      const at = new Date(t0 + i * 1000);
      return {
        _id: new Types.ObjectId(),
        clientSessionId: randomUUID(),
        mode: i % 3 === 0 ? 'voice' : 'text',
        role: 'backend-engineer',
        candidateName: i === 1 ? '=cmd|" /C calc"!A0' : i === 2 ? 'Lovelace, "Ada"\nCountess' : `Candidate ${i}`,
        status: i % 2 === 0 ? 'completed' : 'active',
        ...(i % 2 === 0 ? { endedBy: 'user', endedAt: at, evaluation: { status: 'complete', attempts: 1, result: { overall: 6.5, summary: 's', strengths: [], concerns: [], competencies: [] } } } : {}),
        messages: [{ id: `m${i}`, role: 'candidate', text: `secret answer ${i}`, source: 'text', at }],
        turn: { state: 'idle' },
        plan: { asked: [], scores: [] },
        usage: [],
        createdAt: at,
        updatedAt: at,
      };
    });
    for (let i = 0; i < docs.length; i += 1000) await store.models.Interview.insertMany(docs.slice(i, i + 1000));
    const exportsService = new ExportService({ repo: store.repo, retention: new RetentionPolicy(10), now: () => new Date() });
    const app = express();
    app.use('/api', exportsRouter({ exports: exportsService, recruiterGuard: requireRecruiter(new RecruiterAuth({ repo: store.repo, bootstrapToken: TOKEN })), sessionSecret: 'x'.repeat(32) }));
    app.use(errorHandler(createLogger({ level: 'error' })));
    server = http.createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    socketDir = mkdtempSync(path.join(tmpdir(), 'candor-csv-'));
    socketPath = path.join(socketDir, 'http.sock');
    local = http.createServer(app);
    await new Promise<void>((r) => local.listen(socketPath, r));
  }, 60_000);
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await new Promise((r) => local?.close(r));
    if (socketDir) rmSync(socketDir, { recursive: true, force: true });
    await store?.stop();
  });

  const getMores = () => commands.filter((c) => c === 'getMore').length;

  it('streams thousands of rows: the first bytes arrive long before the last row is read, and a paused client pauses the reads', async () => {
    commands.length = 0;
    const { firstAt, pausedAt, afterPause, text, peakHeapDelta } = await new Promise<{ firstAt: number; pausedAt: number; afterPause: number; text: string; peakHeapDelta: number }>(
      (resolve, reject) => {
        const heap0 = process.memoryUsage().heapUsed;
        let peak = 0;
        const req = http.get({ socketPath, path: '/api/sessions.csv', headers: { authorization: `Bearer ${TOKEN}` } }, (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.headers['content-type']).toBe('text/csv; charset=utf-8; header=present');
          const chunks: Buffer[] = [];
          let firstAt = -1;
          let pausedAt = -1;
          res.on('data', (chunk: Buffer) => {
            chunks.push(chunk);
            peak = Math.max(peak, process.memoryUsage().heapUsed - heap0);
            if (firstAt !== -1) return;
            firstAt = getMores();
            res.pause();
            setTimeout(() => {
              pausedAt = getMores();
              res.resume();
            }, 400);
          });
          res.on('end', () => resolve({ firstAt, pausedAt, afterPause: getMores(), text: Buffer.concat(chunks).toString('utf8'), peakHeapDelta: peak }));
          res.on('error', reject);
        });
        req.on('error', reject);
      },
    );
    const rows = parseCsv(text);
    expect(rows[0]).toEqual([...SESSIONS_CSV_COLUMNS]);
    expect(rows).toHaveLength(ROWS + 1);
    // One cursor in batches of 200: reading all rows takes ~30 getMores; the first bytes came after a handful.
    expect(afterPause).toBeGreaterThanOrEqual(ROWS / 200 - 2);
    expect(firstAt).toBeLessThanOrEqual(2);
    // While the client read nothing, the server stopped pulling rows (socket buffers hold a few batches at most).
    expect(pausedAt).toBeLessThan(afterPause);
    console.log(`csv: ${ROWS} rows, ${text.length} bytes; getMores at first chunk ${firstAt}, after a 400 ms pause ${pausedAt}, at the end ${afterPause}; peak heap growth ${(peakHeapDelta / 1e6).toFixed(1)} MB`);

    const byId = new Map(rows.slice(1).map((r) => [r[2], r]));
    expect(byId.get(`'=cmd|" /C calc"!A0`)).toBeDefined();
    expect(byId.get('Lovelace, "Ada"\nCountess')).toBeDefined();
    expect(text).not.toContain('secret answer');
    const completed = rows.slice(1).find((r) => r[7] === 'completed')!;
    const col = (name: string) => SESSIONS_CSV_COLUMNS.indexOf(name as (typeof SESSIONS_CSV_COLUMNS)[number]);
    expect(completed[col('overallScore')]).toBe('6.5');
    expect(Date.parse(completed[col('deleteAfter')]!) - Date.parse(completed[col('endedAt')]!)).toBe(10 * 86_400_000);
  }, 60_000);

  it('takes the list filters (status, mode, cursor, limit)', async () => {
    const fetchCsv = async (q: string) => {
      const res = await fetch(`${base}/api/sessions.csv?${q}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.status).toBe(200);
      return parseCsv(await res.text()).slice(1);
    };
    const active = await fetchCsv('status=active&mode=text');
    expect(active.length).toBeGreaterThan(0);
    expect(active.every((r) => r[7] === 'active' && r[6] === 'text')).toBe(true);
    const limited = await fetchCsv('limit=5');
    expect(limited).toHaveLength(5);
    const bad = await fetch(`${base}/api/sessions.csv?status=nope`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('VALIDATION');
    expect((await fetch(`${base}/api/sessions.csv`)).status).toBe(401);
  }, 30_000);
});
