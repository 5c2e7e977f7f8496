import type { Connection } from 'mongoose';
import type { CreateSessionInput, FocusSignal, Interview, InterviewSummary, LinkedBy, Message, Turn } from '../../../../shared/interview.js';
import type { Note } from '../../../../shared/notes.js';
import type { Nudge } from '../../../../shared/nudges.js';
import type { Opening, OpeningFields, UpdateOpeningRequest } from '../../../../shared/opening.js';
import type { ActorRef, NewRecruiter, Recruiter } from '../../../../shared/recruiters.js';
import type { StatsQuery, StatsResponse } from '../../../../shared/stats.js';
import type { AnswerScore } from '../../../../shared/plan.js';
import type { StoreWebhookEventInput, WebhookEvent, WebhookOutcome } from '../../../../shared/webhook.js';
import { createModels, initModels } from '../models/index.js';
import type { RepoContext } from './context.js';
import { claimEvaluation, recordEvaluation, type ClaimEvaluationRequest, type EvaluationUpdate } from './evaluation.js';
import { appendMessage, type AppendOptions, type AppendResult } from './messages.js';
import {
  createSession,
  findByClientSessionId,
  findById,
  findSummaries,
  listSessions,
  transition,
  type CreateSessionResult,
  type ListSessionsQuery,
  type SessionPage,
  type TransitionRequest,
  type TransitionResult,
} from './sessions.js';
import { findGenerating, releaseLeasesOfPreviousBoot } from './questions.js';
import { readAnswerState, readCycleView, recordScore, renewLeases, reviseAnswer, storeAnswer, storeQuestion, type AnswerState, type CycleView, type StoreAnswerResult, type StoreQuestion, type StoredQuestion } from './cycle.js';
import { addNudge, handBack, takeOver, withdrawNudge, type AddNudgeResult, type HandBackResult, type TakeOverResult, type WithdrawNudgeResult } from './steering.js';
import { setTurn, type SetTurnRequest } from './turn.js';
import { addUsage, type UsageDelta } from './usage.js';
import {
  findVoiceLinkCandidates,
  readVoiceTurn,
  recordVoiceStart,
  setConversationId,
  type SetConversationIdResult,
  type VoiceTurnState,
  type VoiceStart,
  type VoiceWindowQuery,
} from './voice.js';
import {
  beginVoice,
  createOrphan,
  deleteOrphan,
  findByConversationId,
  findPendingVoiceSessions,
  findUnfinishedMerges,
  findVoiceWindowCandidates,
  linkVoiceTranscript,
  markTranscriptMissing,
  type CreateOrphanResult,
  type LinkTranscriptRequest,
  type LinkTranscriptResult,
  type OrphanInput,
} from './voiceLinking.js';
import { pushFocusSignals } from './focus.js';
import {
  archiveOpening,
  createOpening,
  findOpeningById,
  findOpeningBySlug,
  listOpenings,
  rotateOpeningSlug,
  updateOpening,
  type ListOpeningsQuery,
} from './openings.js';
import { addNote, editNote, type AddNoteResult, type EditNoteResult, type NoteEdit } from './notes.js';
import { createRecruiter, findRecruiterById, findRevokedRecruiterIds, listRecruiters, revokeRecruiter, type RevokeResult } from './recruiters.js';
import { sessionStats } from './stats.js';
import { findUnprocessedWebhookEvents, markWebhookProcessed, storeWebhookEvent, type StoreWebhookResult } from './webhooks.js';
import { webhooksOutRepository, type WebhooksOutRepository } from './webhooksOut.js';
import { acquireLease, releaseLease } from './leases.js';
import {
  addErasureConversationIds,
  claimErasure,
  completeErasure,
  releaseErasure,
  deleteInterviewHolding,
  deleteOrphanRecord,
  deleteWebhookEventsOf,
  findDueForRetention,
  findErasure,
  findErasureMatching,
  findOrphansOf,
  openErasure,
  redactWebhookEvent,
  releaseErasureLeasesOfPreviousBoot,
  type OpenErasureInput,
  type RetentionCandidate,
} from './privacy.js';
import { streamSessionSummaries, type StreamSessionsQuery } from './sessionStream.js';
import type { Erasure } from '../../../../shared/privacy.js';

export type { AppendOptions, AppendRejection, AppendResult } from './messages.js';
export type { ClaimEvaluationRequest, EvaluationUpdate } from './evaluation.js';
export type { TurnExpectation } from './preconditions.js';
export type {
  CreateSessionResult,
  ListSessionsQuery,
  SessionPage,
  TransitionRequest,
  TransitionResult,
  TransitionSet,
} from './sessions.js';
export type { SetTurnRequest } from './turn.js';
export type { AnswerState, CycleRow, CycleView, StoreAnswerResult, StoreQuestion, StoredQuestion } from './cycle.js';
export type { AddNudgeResult, HandBackResult, TakeOverResult, WithdrawNudgeResult } from './steering.js';
export { cycleViewOf, MIN_TAIL } from './cycle.js';
export type { UsageDelta } from './usage.js';
export type { SetConversationIdResult, VoiceStart, VoiceTurnState, VoiceWindowQuery } from './voice.js';
export type { StoreWebhookResult } from './webhooks.js';
export type { CreateOrphanResult, LinkTranscriptRequest, LinkTranscriptResult, OrphanInput } from './voiceLinking.js';
export { LINKABLE_STATUSES } from './voiceLinking.js';
export type { ListOpeningsQuery } from './openings.js';
export type { DeliveryClaim, FinishAttempt, NewDelivery, WebhooksOutRepository } from './webhooksOut.js';
export type { OutboxClaim } from './outbox.js';
export type { AddNoteResult, EditNoteResult, NoteEdit } from './notes.js';
export type { RevokeResult } from './recruiters.js';
export type { OpenErasureInput, RetentionCandidate } from './privacy.js';
export type { StreamSessionsQuery } from './sessionStream.js';
export { conversationIdsOf } from './privacy.js';

/**
 * The only way the server writes interviews and webhook events. Every write is
 * ONE atomic operation whose filter states its precondition; every result is a
 * plain object of a type from ./shared (never a mongoose document).
 * Inputs are validated with zod here too, so no caller-supplied value can reach
 * a filter as an operator object.
 */
export interface Repository {
  createSession(input: CreateSessionInput): Promise<CreateSessionResult>;
  findByClientSessionId(clientSessionId: string): Promise<Interview | null>;
  findSummaries(clientSessionIds: readonly string[]): Promise<InterviewSummary[]>;
  findById(id: string): Promise<Interview | null>;
  listSessions(query: ListSessionsQuery): Promise<SessionPage>;
  appendMessage(clientSessionId: string, message: Message, opts: AppendOptions): Promise<AppendResult>;
  transition(clientSessionId: string, req: TransitionRequest): Promise<TransitionResult>;
  setTurn(clientSessionId: string, req: SetTurnRequest): Promise<TransitionResult>;
  // the question cycle's round trips (cycle.ts, docs/data-model.md "The hot path")
  storeAnswer(clientSessionId: string, req: { message: Message; questionId: string; next: Turn; tail: number }): Promise<StoreAnswerResult>;
  storeQuestion(clientSessionId: string, question: StoreQuestion): Promise<StoredQuestion | null>;
  /** Voice: a newer request's text replaces a stored answer whose question is still generating, and takes the turn (cycle.ts). */
  reviseAnswer(clientSessionId: string, req: { messageId: string; text: string; expect: string; next: Turn; tail: number }): Promise<CycleView | null>;
  readCycleView(clientSessionId: string, tail: number): Promise<CycleView | null>;
  readAnswerState(clientSessionId: string, messageId: string): Promise<AnswerState | null>;
  renewLeases(req: { node: string; questionIds: string[]; until: Date }): Promise<{ lost: string[] }>;
  recordScore(clientSessionId: string, score: AnswerScore): Promise<{ won: boolean }>;
  releaseLeasesOfPreviousBoot(nodeName: string, currentNode: string): Promise<number>;
  findGenerating(limit?: number): Promise<Array<{ clientSessionId: string }>>;
  setConversationId(clientSessionId: string, conversationId: string, opts?: { linkedBy?: LinkedBy }): Promise<SetConversationIdResult>;
  /** Voice Custom LLM: one request's turn, projected (voice.ts); null for an unknown session. */
  readVoiceTurn(clientSessionId: string, messageId: string): Promise<VoiceTurnState | null>;
  recordVoiceStart(clientSessionId: string, start: VoiceStart): Promise<TransitionResult>;
  findVoiceLinkCandidates(query: VoiceWindowQuery): Promise<Interview[]>;
  addUsage(clientSessionId: string, delta: UsageDelta): Promise<Interview | null>;
  recordEvaluation(clientSessionId: string, update: EvaluationUpdate): Promise<TransitionResult>;
  claimEvaluation(req?: ClaimEvaluationRequest): Promise<Interview | null>;
  storeWebhookEvent(input: StoreWebhookEventInput): Promise<StoreWebhookResult>;
  markWebhookProcessed(id: string, outcome: WebhookOutcome): Promise<{ won: boolean }>;
  findUnprocessedWebhookEvents(opts?: { limit?: number }): Promise<WebhookEvent[]>;
  // voice linking (voiceLinking.ts, docs/voice.md)
  beginVoice(clientSessionId: string, start: { agentId: string; userId: string; startedAt: Date }): Promise<TransitionResult>;
  linkVoiceTranscript(clientSessionId: string, req: LinkTranscriptRequest): Promise<LinkTranscriptResult>;
  createOrphan(input: OrphanInput): Promise<CreateOrphanResult>;
  deleteOrphan(clientSessionId: string, conversationId: string): Promise<{ deleted: boolean }>;
  findByConversationId(conversationId: string): Promise<Interview | null>;
  findVoiceWindowCandidates(query: { userId: string; agentId: string; around: Date; windowMs: number; limit: number }): Promise<Interview[]>;
  findUnfinishedMerges(limit?: number): Promise<Interview[]>;
  findPendingVoiceSessions(endedBefore: Date, limit?: number): Promise<Interview[]>;
  markTranscriptMissing(clientSessionId: string): Promise<TransitionResult>;
  // openings, focus signals, stats (docs/openings.md)
  createOpening(fields: OpeningFields): Promise<Opening>;
  findOpeningById(id: string): Promise<Opening | null>;
  findOpeningBySlug(slug: string): Promise<Opening | null>;
  listOpenings(query: ListOpeningsQuery): Promise<{ items: Opening[]; nextCursor: string | null }>;
  /** Throws STATE_CONFLICT when `version` is not the stored one (or the opening is archived), NOT_FOUND when absent. */
  updateOpening(id: string, update: UpdateOpeningRequest): Promise<Opening>;
  archiveOpening(id: string): Promise<Opening>;
  rotateOpeningSlug(id: string): Promise<Opening>;
  pushFocusSignals(clientSessionId: string, signals: FocusSignal[]): Promise<{ stored: boolean }>;
  sessionStats(query: StatsQuery): Promise<Omit<StatsResponse, 'computedAt' | 'tookMs'>>;
  /** Outgoing webhooks: endpoints, deliveries, the outbox relay's claims (docs/webhooks-out.md). */
  webhooksOut: WebhooksOutRepository;
  // named recruiters and private notes (docs/security.md, docs/data-model.md)
  createRecruiter(fields: NewRecruiter): Promise<Recruiter>;
  findRecruiterById(id: string): Promise<Recruiter | null>;
  listRecruiters(): Promise<Recruiter[]>;
  revokeRecruiter(id: string, by: ActorRef): Promise<RevokeResult>;
  findRevokedRecruiterIds(ids: readonly string[]): Promise<string[]>;
  addNote(sessionId: string, note: Note): Promise<AddNoteResult>;
  editNote(sessionId: string, noteId: string, edit: NoteEdit): Promise<EditNoteResult>;
  // recruiter steering: nudges and take-over (steering.ts, docs/recruiters.md)
  addNudge(sessionId: string, nudge: Nudge): Promise<AddNudgeResult>;
  withdrawNudge(sessionId: string, req: { nudgeId: string; by: ActorRef; at: Date }): Promise<WithdrawNudgeResult>;
  takeOver(sessionId: string, req: { by: ActorRef; at: Date }): Promise<TakeOverResult>;
  handBack(sessionId: string, req: { by: ActorRef; anyHolder: boolean }): Promise<HandBackResult>;
  // exports (docs/exports.md)
  /** Every list row matching the list's filters through one cursor (the CSV export). */
  streamSessionSummaries(query: StreamSessionsQuery): AsyncGenerator<InterviewSummary>;
  // retention and erasure (privacy.ts, leases.ts, docs/privacy.md)
  openErasure(input: OpenErasureInput): Promise<{ erasure: Erasure; created: boolean }>;
  addErasureConversationIds(id: string, conversationIds: string[]): Promise<Erasure | null>;
  claimErasure(req: { id?: string; node: string; leaseMs: number }): Promise<Erasure | null>;
  completeErasure(id: string, node: string): Promise<{ won: boolean }>;
  releaseErasure(id: string, node: string): Promise<{ won: boolean }>;
  releaseErasureLeasesOfPreviousBoot(nodeName: string, currentNode: string): Promise<number>;
  findErasure(query: { id?: string; sessionId?: string; clientSessionId?: string }): Promise<Erasure | null>;
  findErasureMatching(query: {
    conversationId?: string;
    clientSessionId?: string;
    voice?: { userIdSha256: string; agentId?: string; startedAt: Date; windowMs: number };
  }): Promise<Erasure | null>;
  deleteInterviewHolding(clientSessionId: string, conversationId: string | undefined): Promise<{ deleted: boolean }>;
  findOrphansOf(query: { conversationIds: string[]; clientSessionId: string }): Promise<Interview[]>;
  deleteOrphanRecord(clientSessionId: string): Promise<{ deleted: boolean }>;
  deleteWebhookEventsOf(query: { conversationIds: string[]; clientSessionIds: string[] }): Promise<number>;
  redactWebhookEvent(id: string, payload: Record<string, unknown>): Promise<{ won: boolean }>;
  findDueForRetention(cutoff: Date, limit: number): Promise<RetentionCandidate[]>;
  acquireLease(name: string, holder: string, leaseMs: number): Promise<{ acquired: boolean; leaseUntil: Date | null }>;
  releaseLease(name: string, holder: string): Promise<{ released: boolean }>;
}

export interface RepositoryOptions {
  /** Clock for leases and timestamps written by the repository (tests move it). */
  now?: () => Date;
}

/**
 * Binds the models to `conn` and waits for collections and indexes, so the
 * unique keys every precondition relies on exist before the first write.
 */
export async function createRepository(conn: Connection, opts: RepositoryOptions = {}): Promise<Repository> {
  const models = createModels(conn);
  await initModels(models);
  const ctx: RepoContext = { models, now: opts.now ?? (() => new Date()) };
  return {
    createSession: (input) => createSession(ctx, input),
    findByClientSessionId: (id) => findByClientSessionId(ctx, id),
    findSummaries: (ids) => findSummaries(ctx, ids),
    findById: (id) => findById(ctx, id),
    listSessions: (query) => listSessions(ctx, query),
    appendMessage: (id, message, o) => appendMessage(ctx, id, message, o),
    transition: (id, req) => transition(ctx, id, req),
    setTurn: (id, req) => setTurn(ctx, id, req),
    storeAnswer: (id, req) => storeAnswer(ctx, id, req),
    storeQuestion: (id, q) => storeQuestion(ctx, id, q),
    reviseAnswer: (id, r) => reviseAnswer(ctx, id, r),
    readCycleView: (id, tail) => readCycleView(ctx, id, tail),
    readAnswerState: (id, mid) => readAnswerState(ctx, id, mid),
    renewLeases: (req) => renewLeases(ctx, req),
    recordScore: (id, score) => recordScore(ctx, id, score),
    releaseLeasesOfPreviousBoot: (name, node) => releaseLeasesOfPreviousBoot(ctx, name, node),
    findGenerating: (limit) => findGenerating(ctx, limit),
    setConversationId: (id, cid, o) => setConversationId(ctx, id, cid, o),
    readVoiceTurn: (id, mid) => readVoiceTurn(ctx, id, mid),
    recordVoiceStart: (id, start) => recordVoiceStart(ctx, id, start),
    findVoiceLinkCandidates: (query) => findVoiceLinkCandidates(ctx, query),
    addUsage: (id, delta) => addUsage(ctx, id, delta),
    recordEvaluation: (id, update) => recordEvaluation(ctx, id, update),
    claimEvaluation: (req) => claimEvaluation(ctx, req),
    storeWebhookEvent: (input) => storeWebhookEvent(ctx, input),
    markWebhookProcessed: (id, outcome) => markWebhookProcessed(ctx, id, outcome),
    findUnprocessedWebhookEvents: (o) => findUnprocessedWebhookEvents(ctx, o),
    beginVoice: (id, start) => beginVoice(ctx, id, start),
    linkVoiceTranscript: (id, req) => linkVoiceTranscript(ctx, id, req),
    createOrphan: (input) => createOrphan(ctx, input),
    deleteOrphan: (id, cid) => deleteOrphan(ctx, id, cid),
    findByConversationId: (cid) => findByConversationId(ctx, cid),
    findVoiceWindowCandidates: (q) => findVoiceWindowCandidates(ctx, q),
    findUnfinishedMerges: (limit) => findUnfinishedMerges(ctx, limit),
    findPendingVoiceSessions: (before, limit) => findPendingVoiceSessions(ctx, before, limit),
    markTranscriptMissing: (id) => markTranscriptMissing(ctx, id),
    createOpening: (fields) => createOpening(ctx, fields),
    findOpeningById: (id) => findOpeningById(ctx, id),
    findOpeningBySlug: (slug) => findOpeningBySlug(ctx, slug),
    listOpenings: (query) => listOpenings(ctx, query),
    updateOpening: (id, update) => updateOpening(ctx, id, update),
    archiveOpening: (id) => archiveOpening(ctx, id),
    rotateOpeningSlug: (id) => rotateOpeningSlug(ctx, id),
    pushFocusSignals: (id, signals) => pushFocusSignals(ctx, id, signals),
    sessionStats: (query) => sessionStats(ctx, query),
    webhooksOut: webhooksOutRepository(ctx),
    createRecruiter: (fields) => createRecruiter(ctx, fields),
    findRecruiterById: (id) => findRecruiterById(ctx, id),
    listRecruiters: () => listRecruiters(ctx),
    revokeRecruiter: (id, by) => revokeRecruiter(ctx, id, by),
    findRevokedRecruiterIds: (ids) => findRevokedRecruiterIds(ctx, ids),
    addNote: (id, note) => addNote(ctx, id, note),
    editNote: (id, noteId, edit) => editNote(ctx, id, noteId, edit),
    addNudge: (id, nudge) => addNudge(ctx, id, nudge),
    withdrawNudge: (id, req) => withdrawNudge(ctx, id, req),
    takeOver: (id, req) => takeOver(ctx, id, req),
    handBack: (id, req) => handBack(ctx, id, req),
    streamSessionSummaries: (query) => streamSessionSummaries(ctx, query),
    openErasure: (input) => openErasure(ctx, input),
    addErasureConversationIds: (id, ids) => addErasureConversationIds(ctx, id, ids),
    claimErasure: (req) => claimErasure(ctx, req),
    completeErasure: (id, node) => completeErasure(ctx, id, node),
    releaseErasure: (id, node) => releaseErasure(ctx, id, node),
    releaseErasureLeasesOfPreviousBoot: (name, node) => releaseErasureLeasesOfPreviousBoot(ctx, name, node),
    findErasure: (query) => findErasure(ctx, query),
    findErasureMatching: (query) => findErasureMatching(ctx, query),
    deleteInterviewHolding: (id, cid) => deleteInterviewHolding(ctx, id, cid),
    findOrphansOf: (query) => findOrphansOf(ctx, query),
    deleteOrphanRecord: (id) => deleteOrphanRecord(ctx, id),
    deleteWebhookEventsOf: (query) => deleteWebhookEventsOf(ctx, query),
    redactWebhookEvent: (id, payload) => redactWebhookEvent(ctx, id, payload),
    findDueForRetention: (cutoff, limit) => findDueForRetention(ctx, cutoff, limit),
    acquireLease: (name, holder, ms) => acquireLease(ctx, name, holder, ms),
    releaseLease: (name, holder) => releaseLease(ctx, name, holder),
  };
}
