import { Router, type RequestHandler, type Response } from 'express';
import { parseOrThrow } from '../../../shared/errors.js';
import { EXPORT_JSON_SCHEMA_PATH, exportQuerySchema, sessionsCsvQuerySchema, type ExportFormat, type SessionExport } from '../../../shared/export.js';
import { exportDocument, humanDate } from '../exports/document.js';
import { exportJsonSchema, type ExportService } from '../exports/exportService.js';
import { renderMarkdown } from '../exports/markdown.js';
import { renderPdf } from '../exports/pdf.js';
import { requireCandidate } from './candidateAuth.js';

/**
 * Exports (docs/exports.md):
 *   GET /api/schemas/export-v1.json                                  anyone: the JSON Schema of every export
 *   GET /api/sessions/:id/export?format=json|md|pdf                  recruiter: everything
 *   GET /api/sessions/by-client/:clientSessionId/export?format=…     candidate (own token): their transcript + feedback
 *   GET /api/sessions.csv?status=&mode=&openingId=&cursor=&limit=    recruiter: the list, streamed
 */
export function exportsRouter(deps: { exports: ExportService; recruiterGuard: RequestHandler; sessionSecret: string }): Router {
  const router = Router();

  router.get(EXPORT_JSON_SCHEMA_PATH.replace(/^\/api/, ''), (_req, res) => {
    res.setHeader('cache-control', 'public, max-age=3600');
    res.type('application/schema+json').send(JSON.stringify(exportJsonSchema(), null, 2));
  });

  router.get('/sessions.csv', deps.recruiterGuard, async (req, res) => {
    const query = parseOrThrow(sessionsCsvQuerySchema, req.query, 'query');
    const chunks = deps.exports.csv(query);
    // The first chunk (at least the header) is produced before any header is sent, so a bad
    // cursor or a database outage still answers with the error envelope and status.
    const first = await chunks.next();
    res.status(200);
    res.setHeader('content-type', 'text/csv; charset=utf-8; header=present');
    res.setHeader('content-disposition', `attachment; filename="candor-interviews-${new Date().toISOString().slice(0, 10)}.csv"`);
    res.setHeader('cache-control', 'no-store');
    let closed = false;
    res.on('close', () => (closed = true));
    try {
      if (!first.done) await write(res, first.value);
      for await (const chunk of chunks) {
        if (closed) break;
        await write(res, chunk);
      }
      res.end();
    } catch (err) {
      // Headers are out: all we can do is cut the response, so the client sees it incomplete.
      res.destroy(err instanceof Error ? err : new Error('csv stream failed'));
    } finally {
      await chunks.return(undefined);
    }
  });

  router.get('/sessions/:id/export', deps.recruiterGuard, async (req, res) => {
    const { format } = parseOrThrow(exportQuerySchema, req.query, 'query');
    await send(res, await deps.exports.recruiterExport(String(req.params.id)), format);
  });

  router.get('/sessions/by-client/:clientSessionId/export', requireCandidate(deps.sessionSecret), async (req, res) => {
    const { format } = parseOrThrow(exportQuerySchema, req.query, 'query');
    await send(res, await deps.exports.candidateExport(String(req.params.clientSessionId)), format);
  });

  return router;
}

/** Writes with backpressure: waits for 'drain' (or the client going away) when the socket buffer is full. */
function write(res: Response, chunk: string): Promise<void> {
  if (res.write(chunk)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

const TYPES: Record<ExportFormat, string> = {
  json: 'application/json; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  pdf: 'application/pdf',
};

async function send(res: Response, x: SessionExport, format: ExportFormat): Promise<void> {
  res.setHeader('content-type', TYPES[format]);
  res.setHeader('content-disposition', `attachment; filename="candor-interview-${x.session.id}${x.audience === 'candidate' ? '-transcript' : ''}.${format}"`);
  res.setHeader('cache-control', 'no-store');
  if (format === 'json') {
    res.send(JSON.stringify(x, null, 2));
    return;
  }
  const doc = exportDocument(x);
  if (format === 'md') {
    res.send(renderMarkdown(doc));
    return;
  }
  try {
    await renderPdf(doc, res, humanDate(x.generatedAt));
  } catch (err) {
    res.destroy(err instanceof Error ? err : new Error('pdf rendering failed'));
  }
}
