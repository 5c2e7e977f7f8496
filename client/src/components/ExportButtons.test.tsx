// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { downloadWithToken, filenameOf } from '../lib/download.js';
import { ExportButtons } from './ExportButtons.js';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('one-click export downloads', () => {
  it('fetch the file with the bearer token and save it under the server’s filename', async () => {
    const fetchMock = vi.fn(async () => new Response('%PDF-1.3', { status: 200, headers: { 'content-disposition': 'attachment; filename="candor-interview-abc-transcript.pdf"' } }));
    vi.stubGlobal('fetch', fetchMock);
    const saved: Array<{ name: string; text: string }> = [];
    await downloadWithToken('/api/sessions/by-client/x/export?format=pdf', 'tok', 'fallback.pdf', (blob, name) => {
      void blob.text().then((text) => saved.push({ name, text }));
    });
    await waitFor(() => expect(saved).toEqual([{ name: 'candor-interview-abc-transcript.pdf', text: '%PDF-1.3' }]));
    expect(fetchMock).toHaveBeenCalledWith('/api/sessions/by-client/x/export?format=pdf', { headers: { authorization: 'Bearer tok' }, cache: 'no-store' });
    expect(filenameOf(null)).toBeNull();
  });

  it('a refused download shows the server’s message', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify({ error: { code: 'UNAUTHORIZED', message: 'The candidate token does not open this session' } }), { status: 401 })));
    render(<ExportButtons label="Download your transcript:" token="t" fileStem="x" pathFor={(f) => `/api/x?format=${f}`} />);
    expect(screen.getAllByRole('button').map((b) => b.textContent)).toEqual(['PDF', 'Markdown', 'JSON']);
    fireEvent.click(screen.getByRole('button', { name: 'Download your transcript: Markdown' }));
    expect(await screen.findByRole('alert')).toHaveProperty('textContent', ' The candidate token does not open this session');
  });
});
