// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RecruiterView } from '../../../shared/recruiters.js';
import { RecruitersSection } from './RecruitersSection.js';

const TOKEN_OF_NEW = `cr_bbbbbbbbbbbbbbbbbbbbbbbb_${'S'.repeat(43)}`;
const recruiter = (overrides: Partial<RecruiterView> = {}): RecruiterView => ({
  id: 'aaaaaaaaaaaaaaaaaaaaaaaa',
  name: 'Grace Hopper',
  role: 'recruiter',
  createdAt: '2026-01-01T00:00:00.000Z',
  createdBy: { id: 'bootstrap', name: 'admin' },
  revokedAt: null,
  revokedBy: null,
  ...overrides,
});

type Call = { method: string; url: string; body: unknown; auth: string | null };
let calls: Call[];
let items: RecruiterView[];
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

beforeEach(() => {
  calls = [];
  items = [recruiter(), recruiter({ id: 'cccccccccccccccccccccccc', name: 'Old Timer', revokedAt: '2026-01-02T00:00:00.000Z', revokedBy: { id: 'bootstrap', name: 'admin' } })];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit = {}) => {
      const headers = new Headers(init.headers);
      const call = { method: init.method ?? 'GET', url, body: init.body ? JSON.parse(String(init.body)) : undefined, auth: headers.get('authorization') };
      calls.push(call);
      if (call.method === 'GET' && url === '/api/recruiters') return json({ items });
      if (call.method === 'POST' && url === '/api/recruiters') {
        const body = call.body as { name: string; role: 'admin' | 'recruiter' };
        if (body.name === 'Taken') return json({ error: { code: 'FORBIDDEN', message: 'Only an admin can do this' } }, 403);
        const created = recruiter({ id: 'bbbbbbbbbbbbbbbbbbbbbbbb', name: body.name, role: body.role });
        items = [created, ...items];
        return json({ ...created, token: TOKEN_OF_NEW }, 201);
      }
      if (call.method === 'DELETE' && url === '/api/recruiters/aaaaaaaaaaaaaaaaaaaaaaaa') {
        return json(recruiter({ revokedAt: '2026-01-03T00:00:00.000Z', revokedBy: { id: 'bootstrap', name: 'admin' } }));
      }
      return json({ error: { code: 'NOT_FOUND', message: `no route ${url}` } }, 404);
    }),
  );
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('RecruitersSection (admin view)', () => {
  it('lists recruiters with their role, who added them, and who revoked whom', async () => {
    render(<RecruitersSection token="admin-token" meId="bootstrap" />);
    const rows = await screen.findAllByTestId('recruiter-row');
    expect(rows.map((r) => r.textContent)).toEqual([expect.stringContaining('Grace Hopper'), expect.stringContaining('Old Timer')]);
    expect(rows[0]!.textContent).toContain('by admin');
    expect(rows[0]!.textContent).toContain('Active');
    expect(rows[1]!.textContent).toContain('Revoked by admin');
    expect(within(rows[1]!).queryByRole('button', { name: /Revoke/ })).toBeNull();
    expect(calls[0]).toMatchObject({ method: 'GET', url: '/api/recruiters', auth: 'Bearer admin-token' });
  });

  it('adds a recruiter and shows its token exactly once', async () => {
    render(<RecruitersSection token="admin-token" meId="bootstrap" />);
    await screen.findAllByTestId('recruiter-row');
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: '  Ada Lovelace ' } });
    fireEvent.change(screen.getByLabelText('Role'), { target: { value: 'admin' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add recruiter' }));
    const shown = await screen.findByTestId('new-token');
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ name: 'Ada Lovelace', role: 'admin' });
    expect(within(shown).getByLabelText('Token')).toHaveProperty('value', TOKEN_OF_NEW);
    expect(shown.textContent).toContain('shown only this once');
    await waitFor(() => expect(screen.getAllByTestId('recruiter-row')).toHaveLength(3));
    // The list never carries the token; once dismissed it is gone from the page.
    expect(screen.getAllByTestId('recruiter-row').map((r) => r.textContent).join()).not.toContain(TOKEN_OF_NEW);
    fireEvent.click(screen.getByRole('button', { name: 'I have saved it' }));
    expect(screen.queryByTestId('new-token')).toBeNull();
    expect(document.body.innerHTML).not.toContain(TOKEN_OF_NEW);
    expect(screen.getByLabelText('Name')).toHaveProperty('value', '');
  });

  it('revokes only after a confirmation, then shows the row revoked', async () => {
    render(<RecruitersSection token="admin-token" meId="bootstrap" />);
    await screen.findAllByTestId('recruiter-row');
    fireEvent.click(screen.getByRole('button', { name: 'Revoke Grace Hopper' }));
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false);
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    fireEvent.click(screen.getByRole('button', { name: 'Revoke Grace Hopper' }));
    fireEvent.click(screen.getByRole('button', { name: 'Yes, revoke' }));
    await waitFor(() => expect(screen.getAllByTestId('recruiter-row')[0]!.textContent).toContain('Revoked by admin'));
    expect(calls.filter((c) => c.method === 'DELETE').map((c) => c.url)).toEqual(['/api/recruiters/aaaaaaaaaaaaaaaaaaaaaaaa']);
  });

  it('shows the server’s reason when adding fails, and refuses an empty name without a request', async () => {
    render(<RecruitersSection token="admin-token" meId="bootstrap" />);
    await screen.findAllByTestId('recruiter-row');
    fireEvent.click(screen.getByRole('button', { name: 'Add recruiter' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Enter a name.');
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'Taken' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add recruiter' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('Only an admin can do this'));
    expect(screen.queryByTestId('new-token')).toBeNull();
  });
});
