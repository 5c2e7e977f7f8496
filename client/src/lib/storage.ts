import type { InterviewMode } from '../../../shared/interview.js';

/**
 * What this browser remembers about a candidate's interviews (localStorage),
 * so a reload resumes the same session and retries an unacknowledged answer.
 * Every read tolerates missing or corrupt entries: storage is user-editable.
 */

export interface StoredSession {
  clientSessionId: string;
  candidateToken: string;
  mode: InterviewMode;
  role: string;
  candidateName?: string;
  createdAt: string;
}

/** An answer sent but not yet acknowledged: retried with the SAME messageId. */
export interface PendingAnswer {
  messageId: string;
  text: string;
  /** The question it answers, when known; a retry for an older question is dropped. */
  questionId?: string;
}

const PREFIX = 'candor:';
const KEY = {
  session: (id: string) => `${PREFIX}session:${id}`,
  pending: (id: string) => `${PREFIX}pending:${id}`,
  current: `${PREFIX}current`,
  draft: `${PREFIX}draft`,
  candidateId: `${PREFIX}candidateId`,
  recruiterToken: `${PREFIX}recruiterToken`,
};

function readJson(storage: Storage, key: string): unknown {
  try {
    const raw = storage.getItem(key);
    return raw === null ? null : (JSON.parse(raw) as unknown);
  } catch {
    return null;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function safeSet(storage: Storage, key: string, value: string): void {
  try {
    storage.setItem(key, value);
  } catch {
    // Private mode or a full quota: the page still works, it only forgets on reload.
  }
}

export function loadSession(clientSessionId: string, storage: Storage = localStorage): StoredSession | null {
  const value = readJson(storage, KEY.session(clientSessionId));
  if (!isRecord(value)) return null;
  const { candidateToken, mode, role } = value;
  if (typeof candidateToken !== 'string' || (mode !== 'text' && mode !== 'voice') || typeof role !== 'string') return null;
  return {
    clientSessionId,
    candidateToken,
    mode,
    role,
    ...(typeof value.candidateName === 'string' ? { candidateName: value.candidateName } : {}),
    createdAt: typeof value.createdAt === 'string' ? value.createdAt : new Date(0).toISOString(),
  };
}

export function saveSession(session: StoredSession, storage: Storage = localStorage): void {
  safeSet(storage, KEY.session(session.clientSessionId), JSON.stringify(session));
  safeSet(storage, KEY.current, session.clientSessionId);
}

/** The interview this browser started last, if it is still stored. */
export function currentSession(storage: Storage = localStorage): StoredSession | null {
  const id = storage.getItem(KEY.current);
  return id ? loadSession(id, storage) : null;
}

export function forgetCurrent(storage: Storage = localStorage): void {
  storage.removeItem(KEY.current);
}

/**
 * The clientSessionId of the interview being created: generated once and kept
 * until creation succeeded, so a retried POST /api/sessions (idempotent) never
 * makes a second session.
 */
export function draftClientSessionId(storage: Storage = localStorage): string {
  const existing = storage.getItem(KEY.draft);
  if (existing) return existing;
  const id = crypto.randomUUID();
  safeSet(storage, KEY.draft, id);
  return id;
}

export function clearDraft(storage: Storage = localStorage): void {
  storage.removeItem(KEY.draft);
}

/** A stable id of this browser's candidate (the ElevenLabs user_id), generated once. */
export function candidateId(storage: Storage = localStorage): string {
  const existing = storage.getItem(KEY.candidateId);
  if (existing && /^[A-Za-z0-9_:.-]{1,128}$/.test(existing)) return existing;
  const id = `cand_${crypto.randomUUID()}`;
  safeSet(storage, KEY.candidateId, id);
  return id;
}

export function loadPending(clientSessionId: string, storage: Storage = localStorage): PendingAnswer | null {
  const value = readJson(storage, KEY.pending(clientSessionId));
  if (!isRecord(value) || typeof value.messageId !== 'string' || typeof value.text !== 'string') return null;
  return {
    messageId: value.messageId,
    text: value.text,
    ...(typeof value.questionId === 'string' ? { questionId: value.questionId } : {}),
  };
}

export function savePending(clientSessionId: string, pending: PendingAnswer | null, storage: Storage = localStorage): void {
  if (pending) safeSet(storage, KEY.pending(clientSessionId), JSON.stringify(pending));
  else storage.removeItem(KEY.pending(clientSessionId));
}

/** The recruiter token lives in sessionStorage: gone when the tab closes. */
export function loadRecruiterToken(storage: Storage = sessionStorage): string | null {
  return storage.getItem(KEY.recruiterToken);
}

export function saveRecruiterToken(token: string | null, storage: Storage = sessionStorage): void {
  if (token) safeSet(storage, KEY.recruiterToken, token);
  else storage.removeItem(KEY.recruiterToken);
}
