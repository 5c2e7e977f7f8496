import type { Browser, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, newContext, screenshot } from './support/browser.js';

const baseUrl = inject('baseUrl');

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

async function texts(lines: Locator): Promise<string[]> {
  return (await lines.locator('.text').allTextContents()).map((t) => t.trim());
}

describe('voice interview in Chromium (server simulator)', () => {
  it('a simulated voice interview ends and the results fill in after the delayed webhook', async () => {
    const { context, page, errors } = await newContext(browser, baseUrl);
    await page.goto('/');
    await page.getByLabel('Your name').fill(`Voice Candidate ${Date.now()}`);
    await page.locator('select[name="role"]').waitFor();
    await page.getByLabel(/Speaking \(voice/).check();
    await page.getByRole('button', { name: 'Continue to the interview' }).click();
    await page.waitForURL(/\/interview\/[0-9a-f-]{36}$/);
    const clientSessionId = new URL(page.url()).pathname.split('/').pop() ?? '';

    await page.getByRole('button', { name: 'Start voice interview' }).click();
    // The simulated agent says its first line; then it is the candidate's turn.
    await page.getByTestId('question').first().waitFor();
    await expect.poll(() => page.getByTestId('speaking').textContent()).toContain('Your turn');

    const said = 'I designed the ingestion pipeline for our analytics product, with idempotent consumers and a replayable log.';
    await page.getByLabel('Simulated microphone').fill(said);
    await page.getByRole('button', { name: 'Say it' }).click();
    await page.getByTestId('answer').first().waitFor();
    await page.getByTestId('question').nth(1).waitFor();
    expect(await texts(page.getByTestId('answer'))).toEqual([said]);
    await screenshot(page, 'interview-voice');

    await page.getByRole('button', { name: 'End interview' }).click();
    await page.waitForURL(new RegExp(`/results/${clientSessionId}$`));
    // The webhook is still on its way: the page says so instead of spinning silently…
    await page.getByText('Saving your interview…').waitFor();
    await screenshot(page, 'results-voice-saving');
    // …and fills in once the (delayed) webhook linked the call and the evaluation ran.
    await page.getByTestId('evaluation').waitFor({ timeout: 30_000 });
    expect(await page.locator('main').getAttribute('data-stage')).toBe('ready');
    expect((await texts(page.getByTestId('answer'))).join(' ')).toContain('ingestion pipeline');
    await screenshot(page, 'results-voice');

    expect(errors).toEqual([]);
    await context.close();
  });
});
