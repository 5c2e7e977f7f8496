import { z } from 'zod';
import { AppError } from '../../../shared/errors.js';
import {
  EXPORT_JSON_SCHEMA_ID,
  SESSIONS_CSV_COLUMNS,
  sessionExportSchema,
  type CandidateExport,
  type RecruiterExport,
  type SessionsCsvQuery,
} from '../../../shared/export.js';
import type { Interview, InterviewSummary } from '../../../shared/interview.js';
import type { Repository } from '../db/repository/index.js';
import { findRole } from '../interview/roles.js';
import { toSessionSummary } from '../interview/summary.js';
import type { RetentionPolicy } from '../privacy/retentionPolicy.js';
import { buildCandidateExport, buildRecruiterExport, type ExportContext } from './build.js';
import { csvRow, type CsvRecord } from './csv.js';
import { notesOf } from './notes.js';

/** CSV rows are written in chunks of about this many bytes (one write per chunk, not per row). */
const CSV_CHUNK_BYTES = 16 * 1024;

/**
 * Loads what an export needs (interview, role title, opening, notes, retention)
 * and builds it; the CSV as a pull-based stream of text chunks. docs/exports.md.
 */
export class ExportService {
  constructor(private readonly deps: { repo: Repository; retention: RetentionPolicy; now: () => Date }) {}

  async recruiterExport(sessionId: string): Promise<RecruiterExport> {
    const session = await this.deps.repo.findById(sessionId);
    if (!session) throw new AppError('NOT_FOUND', 'No interview with this id');
    return buildRecruiterExport(session, { ...(await this.context(session)), notes: notesOf(session) });
  }

  /** The candidate's own export (the route has checked their token for this clientSessionId). */
  async candidateExport(clientSessionId: string): Promise<CandidateExport> {
    const session = await this.deps.repo.findByClientSessionId(clientSessionId);
    if (!session || session.status === 'orphaned') throw new AppError('NOT_FOUND', 'No interview with this id');
    return buildCandidateExport(session, await this.context(session));
  }

  private async context(session: Interview): Promise<Omit<ExportContext, 'notes'>> {
    const opening = session.openingId ? await this.deps.repo.findOpeningById(session.openingId) : null;
    return {
      roleTitle: findRole(session.role)?.title ?? session.role,
      opening: opening ? { id: opening.id, title: opening.title } : null,
      deleteAfter: this.deps.retention.deleteAfter(session),
      now: this.deps.now(),
    };
  }

  /**
   * The CSV (header first), pulled chunk by chunk from one database cursor:
   * at most one batch of rows plus one chunk is in memory at any time.
   */
  async *csv(query: SessionsCsvQuery): AsyncGenerator<string> {
    const { status, mode, openingId, cursor, limit } = query;
    let chunk = csvRow(SESSIONS_CSV_COLUMNS);
    const rows = this.deps.repo.streamSessionSummaries({
      ...(status ? { status } : {}),
      ...(mode ? { mode } : {}),
      ...(openingId ? { openingId } : {}),
      ...(cursor ? { cursor } : {}),
      ...(limit !== undefined ? { limit } : {}),
    });
    for await (const s of rows) {
      const record = this.csvRecord(s);
      chunk += csvRow(SESSIONS_CSV_COLUMNS.map((c) => record[c]));
      if (chunk.length >= CSV_CHUNK_BYTES) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
  }

  private csvRecord(s: InterviewSummary): CsvRecord {
    const summary = toSessionSummary(s, this.deps.retention);
    return {
      sessionId: s.id,
      clientSessionId: s.clientSessionId,
      candidateName: s.candidateName ?? null,
      candidateId: s.candidateId ?? null,
      role: s.role,
      openingId: s.openingId ?? null,
      mode: s.mode,
      status: s.status,
      endedBy: s.endedBy ?? null,
      questions: summary.questionNumber,
      phase: summary.phase,
      evaluationStatus: s.evaluation?.status ?? null,
      overallScore: s.evaluation?.result?.overall ?? null,
      linkState: summary.linkState,
      linkedBy: summary.linkedBy,
      createdAt: s.createdAt.toISOString(),
      startedAt: s.startedAt?.toISOString() ?? null,
      endedAt: s.endedAt?.toISOString() ?? null,
      lastActivityAt: summary.lastActivityAt,
      deleteAfter: summary.deleteAfter,
    };
  }
}

let published: Record<string, unknown> | undefined;

/** The JSON Schema (2020-12) of every export, generated from `sessionExportSchema` once. */
export function exportJsonSchema(): Record<string, unknown> {
  published ??= {
    ...z.toJSONSchema(sessionExportSchema, { target: 'draft-2020-12' }),
    $id: EXPORT_JSON_SCHEMA_ID,
    title: 'Candor interview export, v1',
    description: 'GET /api/sessions/:id/export?format=json (audience "recruiter") and the candidate\'s own export (audience "candidate"). docs/exports.md',
  };
  return published;
}
