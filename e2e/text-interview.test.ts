import type { Browser, Locator, Page } from 'playwright-core';
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

const ANSWERS = [
  'I have built HTTP services in TypeScript for five years. I care about idempotent writes, clear error codes and tests that run against the real database.',
  'For a rate limiter I would use a token bucket per key in Redis with an atomic Lua script, because it survives restarts and works across replicas.',
  'I would measure first: p99 latency per endpoint, then look at the slow queries and add the missing index, and only then think about caching.',
];

async function startInterview(page: Page, name: string, shot: string): Promise<string> {
  await page.goto('/');
  await page.getByLabel('Your name').fill(name);
  // Roles load from GET /api/roles; the first one is preselected.
  await page.locator('select[name="role"]').waitFor();
  await page.getByLabel('Typing (text)').check();
  await screenshot(page, shot);
  await page.getByRole('button', { name: 'Continue to the interview' }).click();
  await page.waitForURL(/\/interview\/[0-9a-f-]{36}$/);
  const clientSessionId = new URL(page.url()).pathname.split('/').pop() ?? '';
  await page.getByRole('button', { name: 'Start interview' }).click();
  return clientSessionId;
}

/** The text of a transcript line, without its speaker label. */
async function textOf(line: Locator): Promise<string> {
  return ((await line.locator('.text').textContent()) ?? '').trim();
}

async function textsOf(lines: Locator): Promise<string[]> {
  return (await lines.locator('.text').allTextContents()).map((t) => t.trim());
}

/** Waits until `count` questions are finished and the box accepts an answer. */
async function waitForQuestion(page: Page, count: number): Promise<string> {
  await page.getByTestId('question').nth(count - 1).waitFor();
  await page.getByTestId('streaming-question').waitFor({ state: 'detached' });
  return textOf(page.getByTestId('question').nth(count - 1));
}

async function answer(page: Page, text: string, answersBefore: number): Promise<void> {
  const box = page.getByLabel('Your answer');
  await expect.poll(() => box.isEnabled()).toBe(true);
  await box.fill(text);
  await expect.poll(() => page.getByTestId('char-count').innerText()).toBe(`${text.length.toLocaleString('en')} / 2,000`);
  await page.getByRole('button', { name: 'Send answer' }).click();
  // "Sent" only after the ack; then the answer is in the transcript.
  await page.getByTestId('send-status').getByText('Sent ✓').waitFor();
  await page.getByTestId('answer').nth(answersBefore).waitFor();
}

describe('text interview in Chromium', () => {
  it('a candidate completes a short interview while a recruiter watches the same questions stream', async () => {
    const recruiter = await newContext(browser, baseUrl);
    const candidate = await newContext(browser, baseUrl);
    const name = `E2E Candidate ${Date.now()}`;

    // Recruiter signs in first and sees the list live.
    await recruiter.page.goto('/recruiter');
    await recruiter.page.getByLabel('Recruiter token').fill(recruiterToken);
    await recruiter.page.getByRole('button', { name: 'Open dashboard' }).click();
    await recruiter.page.getByRole('heading', { name: 'Interviews' }).waitFor();

    const clientSessionId = await startInterview(candidate.page, name, 'start');
    expect(clientSessionId).toMatch(/^[0-9a-f-]{36}$/);

    // The tokens are visible as they arrive: a caret while streaming.
    await candidate.page.getByTestId('streaming-question').waitFor();
    await screenshot(candidate.page, 'interview-streaming');
    const q1 = await waitForQuestion(candidate.page, 1);
    expect(q1.length).toBeGreaterThan(10);
    await expect.poll(() => candidate.page.getByTestId('progress').innerText()).toContain('Question 1');

    // The recruiter's list gets the session (sessions:upsert) and opens it mid-interview.
    const row = recruiter.page.getByTestId('session-row').filter({ hasText: name });
    await row.getByRole('button', { name }).click();
    const watch = recruiter.page.getByTestId('watch-panel');
    await watch.getByTestId('question').first().waitFor();
    expect(await textOf(watch.getByTestId('question').first())).toBe(q1);

    const questions = [q1];
    for (const [i, text] of ANSWERS.entries()) {
      await answer(candidate.page, text, i);
      const q = await waitForQuestion(candidate.page, i + 2);
      questions.push(q);
      // The watcher shows the same question, token-exact.
      await expect.poll(() => textOf(watch.getByTestId('question').nth(i + 1)), { timeout: 10_000 }).toBe(q);
    }
    await screenshot(candidate.page, 'interview-text');
    await screenshot(recruiter.page, 'recruiter-watch');

    const watchedQuestions = await textsOf(watch.getByTestId('question'));
    expect(watchedQuestions).toEqual(questions);
    const watchedAnswers = await textsOf(watch.getByTestId('answer'));
    expect(watchedAnswers).toEqual(ANSWERS);

    // End -> results: saving/generating -> feedback with the transcript.
    await candidate.page.getByRole('button', { name: 'End interview' }).click();
    await candidate.page.getByRole('button', { name: 'Yes, end it' }).click();
    await candidate.page.waitForURL(new RegExp(`/results/${clientSessionId}$`));
    await candidate.page.getByTestId('evaluation').waitFor({ timeout: 30_000 });
    await expect.poll(() => candidate.page.locator('main').getAttribute('data-stage')).toBe('ready');
    const resultQuestions = await textsOf(candidate.page.getByTestId('question'));
    expect(resultQuestions.slice(0, questions.length)).toEqual(questions);
    await screenshot(candidate.page, 'results');

    // The recruiter sees the status change live.
    await expect.poll(() => row.innerText()).toContain('Completed');
    // …and the evaluation once it is ready (evaluation:ready on the watch).
    await watch.getByTestId('watch-evaluation').waitFor({ timeout: 30_000 });
    await screenshot(recruiter.page, 'recruiter-list');

    expect(candidate.errors).toEqual([]);
    expect(recruiter.errors).toEqual([]);
    await recruiter.context.close();
    await candidate.context.close();
  });

  it('a candidate who reloads mid-question sees the same question text, once', async () => {
    const candidate = await newContext(browser, baseUrl, { width: 390, height: 844 });
    const page = candidate.page;
    await startInterview(page, `Reload Candidate ${Date.now()}`, 'start-phone');
    await waitForQuestion(page, 1);

    // Watch for question 2 from before the answer goes out, in the page and atomically: the
    // streaming text as soon as it has some. Then reload while it is still streaming.
    const caught = page
      .waitForFunction(
        () => {
          const text = document.querySelector('[data-testid="streaming-question"]')?.textContent ?? '';
          return text.length > 0 ? text : null;
        },
        undefined,
        { polling: 'raf', timeout: 15_000 },
      )
      .then((handle) => handle.jsonValue() as Promise<string>);
    await page.getByLabel('Your answer').fill(ANSWERS[0]!);
    await page.getByRole('button', { name: 'Send answer' }).click();
    const before = await caught;
    await page.reload();

    // After the reload the page rebuilds from the snapshot: the question resumes where it was.
    const q2 = await waitForQuestion(page, 2);
    expect(before.length).toBeGreaterThan(0);
    expect(q2.startsWith(before.trim())).toBe(true);
    expect(await page.getByTestId('question').count()).toBe(2);
    expect(await page.getByTestId('answer').count()).toBe(1);
    expect(await textOf(page.getByTestId('answer').first())).toBe(ANSWERS[0]);
    expect(((await page.getByTestId('reconnect-banner').textContent()) ?? '').trim()).toBe('');
    await screenshot(page, 'interview-after-reload-phone');
    expect(candidate.errors).toEqual([]);
    await candidate.context.close();
  });
});
