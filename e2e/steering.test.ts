import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
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

/** Every socket.io frame the page receives, as text. */
function recordFrames(page: Page): string[] {
  const frames: string[] = [];
  page.on('websocket', (ws) => ws.on('framereceived', ({ payload }) => frames.push(typeof payload === 'string' ? payload : payload.toString('utf8'))));
  return frames;
}

async function waitForQuestion(page: Page, count: number): Promise<string> {
  await page.getByTestId('question').nth(count - 1).waitFor();
  await page.getByTestId('streaming-question').waitFor({ state: 'detached' });
  return ((await page.getByTestId('question').nth(count - 1).locator('.text').textContent()) ?? '').trim();
}

describe('recruiter steering in Chromium', () => {
  it('a recruiter suggests a follow-up mid-interview; the candidate’s next question asks it; the candidate receives only that question; the recruiter sees the nudge used as Q2', async () => {
    // A named recruiter, so the name that must never reach the candidate is unmistakable.
    const created = await fetch(`${baseUrl}/api/recruiters`, {
      method: 'POST',
      headers: { authorization: `Bearer ${recruiterToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Nadia Steerwell' }),
    });
    expect(created.status).toBe(201);
    const { token } = (await created.json()) as { token: string };

    const recruiter = await newContext(browser, baseUrl);
    const candidate = await newContext(browser, baseUrl);
    const frames = recordFrames(candidate.page);
    // A step that does not happen fails with its locator, not with the test's timeout.
    for (const page of [recruiter.page, candidate.page]) page.setDefaultTimeout(15_000);
    const name = `Steered Candidate ${Date.now()}`;

    await recruiter.page.goto('/recruiter');
    await recruiter.page.getByLabel('Recruiter token').fill(token);
    await recruiter.page.getByRole('button', { name: 'Open dashboard' }).click();
    await recruiter.page.getByRole('heading', { name: 'Interviews' }).waitFor();

    await candidate.page.goto('/');
    await candidate.page.getByLabel('Your name').fill(name);
    await candidate.page.locator('select[name="role"]').waitFor();
    await candidate.page.getByLabel('Typing (text)').check();
    await candidate.page.getByRole('button', { name: 'Continue to the interview' }).click();
    await candidate.page.waitForURL(/\/interview\/[0-9a-f-]{36}$/);
    await candidate.page.getByRole('button', { name: 'Start interview' }).click();
    const q1 = await waitForQuestion(candidate.page, 1);

    // The recruiter opens the live session and suggests a follow-up.
    const row = recruiter.page.getByTestId('session-row').filter({ hasText: name });
    await row.getByRole('button', { name }).click();
    const watch = recruiter.page.getByTestId('watch-panel');
    await watch.getByTestId('question').first().waitFor();
    const steering = watch.getByTestId('steering-panel');
    const followUp = 'How did you make sure the retries were safe to repeat?';
    await steering.getByLabel('Suggest').selectOption('follow_up');
    await steering.getByLabel('Question', { exact: true }).fill(followUp);
    await steering.getByRole('button', { name: 'Suggest' }).click();
    const nudge = steering.getByTestId('nudge').first();
    await expect.poll(() => nudge.getAttribute('data-state')).toBe('pending');
    await expect.poll(() => nudge.innerText()).toContain('by Nadia Steerwell');

    // The candidate answers; the next question asks the follow-up.
    await candidate.page.getByLabel('Your answer').fill('I added retries with exponential backoff around the payment call.');
    await candidate.page.getByRole('button', { name: 'Send answer' }).click();
    const q2 = await waitForQuestion(candidate.page, 2);
    expect(q2).toContain(followUp);
    expect(q2).not.toBe(q1);

    // The recruiter sees it used, as question 2.
    await expect.poll(() => nudge.getAttribute('data-state'), { timeout: 10_000 }).toBe('used');
    await expect.poll(() => nudge.getByTestId('nudge-question').innerText()).toContain('Q2');
    await screenshot(recruiter.page, 'recruiter-steering');
    await screenshot(candidate.page, 'candidate-steered');

    // The candidate's page and socket: the question only — no nudge event, kind, state or recruiter name.
    const received = frames.join('\n');
    expect(received).toContain(followUp); // in the question's tokens and its question:end
    for (const absent of ['nudge', 'follow_up', 'Nadia Steerwell', '"pending"', '"used"', 'takeover']) expect(received).not.toContain(absent);
    const pageText = (await candidate.page.locator('body').innerText()).toLowerCase();
    for (const absent of ['nudge', 'nadia', 'steerwell']) expect(pageText).not.toContain(absent);
    expect((await candidate.page.getByTestId('question').allTextContents()).filter((t) => t.includes(followUp))).toHaveLength(1);

    expect(candidate.errors).toEqual([]);
    expect(recruiter.errors).toEqual([]);
    await recruiter.context.close();
    await candidate.context.close();
  });
});
