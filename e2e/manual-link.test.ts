import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { SimulatorControls } from '../shared/voice.js';
import { launchChromium, newContext, screenshot } from './support/browser.js';

const baseUrl = inject('baseUrl');
const recruiterToken = inject('recruiterToken');

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

async function api(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** A voice session started in the simulator and ended over REST (no browser call needed for the link). */
async function endedVoiceSession(candidateName: string, candidateId: string, simulate: SimulatorControls) {
  const clientSessionId = randomUUID();
  const created = await api('POST', '/api/sessions', { clientSessionId, mode: 'voice', role: 'backend-engineer', candidateName, candidateId });
  expect(created.status).toBe(201);
  const token = String(created.body.candidateToken);
  expect((await api('POST', '/api/voice/session', { clientSessionId, simulate }, token)).status).toBe(200);
  expect((await api('POST', `/api/sessions/${clientSessionId}/end`, { endedBy: 'user' }, token)).status).toBe(200);
  return { clientSessionId, token, sessionId: String(created.body.sessionId) };
}

/** The orphan whose candidates include this session (polled: the simulated webhook is on its way). */
async function findOrphan(clientSessionId: string): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const list = await api('GET', '/api/sessions?status=orphaned&limit=100', undefined, recruiterToken);
    for (const item of list.body.items as Array<{ sessionId: string }>) {
      const detail = await api('GET', `/api/sessions/${item.sessionId}`, undefined, recruiterToken);
      const voice = detail.body.voice as { candidates?: string[] } | undefined;
      if (voice?.candidates?.includes(clientSessionId)) return item.sessionId;
    }
    if (Date.now() > deadline) throw new Error(`no orphan lists ${clientSessionId} as a candidate`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('linking an orphaned voice call by hand in Chromium', () => {
  it('two calls of one candidate make an ambiguous orphan; the recruiter links it to the right interview', async () => {
    const person = `cand_${randomUUID().slice(0, 8)}`;
    const stamp = Date.now();
    // Neither call reports its conversation id or dynamic variables; only the first gets a webhook,
    // which the time window cannot give to one of the two: an orphan with both as candidates.
    const first = await endedVoiceSession(`Orphan First ${stamp}`, person, { omitConversationId: true, omitDynamicVariables: true, webhookDelayMs: 200 });
    const second = await endedVoiceSession(`Orphan Second ${stamp}`, person, { omitConversationId: true, omitDynamicVariables: true, webhook: 'off' });

    const { context, page, errors } = await newContext(browser, baseUrl);
    await page.goto('/recruiter');
    await page.getByLabel('Recruiter token').fill(recruiterToken);
    await page.getByRole('button', { name: 'Open dashboard' }).click();
    await page.getByRole('heading', { name: 'Interviews' }).waitFor();

    // The orphan appears live (its own row) once the webhook is in; other tests' orphans may be listed too.
    const orphanId = await findOrphan(second.clientSessionId);
    const orphanRow = page.locator(`[data-testid="session-row"][data-session-id="${orphanId}"]`);
    await orphanRow.getByRole('button', { name: /^Review and link the orphaned call/ }).click();
    const linker = page.getByTestId('orphan-linker');
    await linker.getByTestId('link-candidate').nth(1).waitFor();
    const candidates = await linker.getByTestId('link-candidate').evaluateAll((els) => els.map((e) => e.getAttribute('data-client-session-id')));
    expect(candidates.sort()).toEqual([first.clientSessionId, second.clientSessionId].sort());
    await screenshot(page, 'recruiter-orphan');

    await linker.getByRole('button', { name: `Link to Orphan Second ${stamp} (${second.clientSessionId.slice(0, 8)})` }).click();
    await page.getByTestId('link-notice').getByText(`linked to Orphan Second ${stamp}`).waitFor();
    // The chosen interview is linked by merge; the other one still waits; the orphan row is gone.
    const rowOf = (sessionId: string) => page.locator(`[data-testid="session-row"][data-session-id="${sessionId}"]`);
    await expect.poll(() => rowOf(second.sessionId).locator('td[data-label="Call link"]').innerText()).toContain('Linked (merge)');
    expect(await rowOf(first.sessionId).locator('td[data-label="Call link"]').innerText()).not.toContain('Linked');
    const byClient = await api('GET', `/api/sessions/by-client/${second.clientSessionId}`, undefined, second.token);
    expect(byClient.body).toMatchObject({ voice: { linkedBy: 'merge' } });
    await screenshot(page, 'recruiter-orphan-linked');

    // Linking the same conversation to the other interview now is refused, and the page says why.
    const again = await api('POST', `/api/sessions/${first.sessionId}/link`, { conversationId: String(byClient.body.conversationId) }, recruiterToken);
    expect(again.status).toBe(409);
    await rowOf(first.sessionId).getByRole('button', { name: `Orphan First ${stamp}` }).click();
    const form = page.getByTestId('link-form');
    await form.getByLabel('Conversation id').fill(String(byClient.body.conversationId));
    await form.getByRole('button', { name: 'Link' }).click();
    await expect.poll(() => form.getByRole('alert').innerText()).toMatch(/^Not linked: /);

    expect(errors.filter((e) => !e.includes('409'))).toEqual([]);
    await context.close();
  });
});
