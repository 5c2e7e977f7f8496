import {
  createRecruiterResponseSchema,
  meResponseSchema,
  recruiterListResponseSchema,
  recruiterViewSchema,
  type CreateRecruiterRequest,
  type CreateRecruiterResponse,
  type MeResponse,
  type RecruiterView,
} from '../../../shared/recruiters.js';
import { recruiterFetch } from './api.js';

/** Named recruiters over REST (docs/security.md "Recruiters"); every response parsed with its shared schema. */

export function fetchMe(token: string): Promise<MeResponse> {
  return recruiterFetch(meResponseSchema, '/api/recruiters/me', token, { cache: 'no-store' });
}

export async function listRecruiters(token: string): Promise<RecruiterView[]> {
  return (await recruiterFetch(recruiterListResponseSchema, '/api/recruiters', token, { cache: 'no-store' })).items;
}

export function createRecruiter(token: string, body: CreateRecruiterRequest): Promise<CreateRecruiterResponse> {
  return recruiterFetch(createRecruiterResponseSchema, '/api/recruiters', token, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

export function revokeRecruiter(token: string, id: string): Promise<RecruiterView> {
  return recruiterFetch(recruiterViewSchema, `/api/recruiters/${encodeURIComponent(id)}`, token, { method: 'DELETE' });
}
