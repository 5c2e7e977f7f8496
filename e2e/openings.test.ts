import type { Browser } from 'playwright-core';
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

describe('openings in Chromium (issue 10)', () => {
  it('a recruiter creates an opening, a candidate starts from its link, and the recruiter sees the interview under it with focus signals', async () => {
    const title = `Payments backend ${Date.now()}`;
    const recruiter = await newContext(browser, baseUrl, { width: 1280, height: 1000 });
    const r = recruiter.page;
    await r.goto('/recruiter');
    await r.getByLabel('Recruiter token').fill(recruiterToken);
    await r.getByRole('button', { name: 'Open dashboard' }).click();
    await r.getByRole('button', { name: 'Openings and stats' }).click();
    await r.getByRole('button', { name: 'New opening' }).click();
    const form = r.getByTestId('opening-form');
    // A broken form names its fields before any request.
    await form.getByRole('button', { name: 'Create opening' }).click();
    await form.getByText('Check the fields marked above.').waitFor();
    await form.getByLabel('Title').fill(title);
    await form.getByLabel('Job description').fill('Go services, PostgreSQL, idempotent payment APIs, Kafka.');
    await form.getByLabel('At least').fill('12');
    await form.getByLabel('At most').fill('14');
    await form.getByLabel('Voice').uncheck();
    await expect.poll(() => form.getByLabel('Interviewer persona').locator('option').count()).toBeGreaterThan(1);
    await form.getByLabel('Interviewer persona').selectOption('warm');
    await form.getByLabel(/Must-ask questions/).fill('Tell me about a payment you had to reverse.');
    await form.getByRole('button', { name: 'Create opening' }).click();

    const card = r.locator('[data-testid="opening"]', { hasText: title });
    await card.waitFor();
    // An edit goes out with the loaded version and comes back as the next one.
    await card.getByRole('button', { name: 'Edit' }).click();
    await card.getByTestId('opening-form').getByLabel('Job description').fill('Go services, PostgreSQL, idempotent payment APIs, Kafka, ledgers.');
    await card.getByRole('button', { name: 'Save changes' }).click();
    await card.getByTestId('opening-form').waitFor({ state: 'detached' });
    const link = await card.getByTestId('share-link').inputValue();
    expect(link).toMatch(new RegExp(`^${baseUrl}/o/[A-Za-z0-9_-]{22}$`));
    await screenshot(r, 'recruiter-openings');

    // The candidate opens the link in another browser profile.
    const candidate = await newContext(browser, baseUrl, { width: 390, height: 844 });
    const c = candidate.page;
    await c.goto(new URL(link).pathname);
    await c.getByRole('heading', { name: title }).waitFor();
    expect(await c.getByTestId('persona').innerText()).toContain('Warm');
    expect(await c.getByTestId('focus-notice').innerText()).toMatch(/never its text/);
    // Only text is allowed: no mode choice, the page says how answers are given.
    expect(await c.getByLabel('Speaking (voice — needs a microphone)').count()).toBe(0);
    await screenshot(c, 'opening-candidate');
    await c.getByLabel('Your name').fill('Link Candidate');
    await c.getByRole('button', { name: 'Start the interview' }).click();
    await c.waitForURL(/\/interview\/[0-9a-f-]{36}$/);
    await c.getByRole('button', { name: 'Start interview' }).click();
    await c.getByTestId('question').first().waitFor();

    // The tab is hidden and shown again (Page Visibility API), then something is pasted into the answer box.
    await c.evaluate(() => {
      const set = (state: 'hidden' | 'visible') => {
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
        document.dispatchEvent(new Event('visibilitychange'));
      };
      set('hidden');
      set('visible');
    });
    await c.getByLabel('Your answer').evaluate((box) => {
      const data = new DataTransfer();
      data.setData('text/plain', 'x'.repeat(42));
      box.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    });

    // The recruiter finds the interview under the opening and sees the focus signals on its timeline.
    await card.getByRole('button', { name: 'Interviews and stats' }).click();
    const row = card.getByTestId('opening-session').filter({ hasText: 'Link Candidate' });
    await row.waitFor();
    await expect.poll(() => card.getByTestId('stats-total').innerText()).toBe('1');
    await row.getByRole('button', { name: 'Link Candidate' }).click();
    const watch = r.getByTestId('watch-panel');
    await expect
      .poll(() => watch.getByTestId('focus-signal').allInnerTexts(), { timeout: 10_000 })
      .toEqual([expect.stringContaining('Left the interview page'), expect.stringContaining('Came back'), expect.stringContaining('Pasted 42 characters')]);
    expect(await watch.getByTestId('focus-summary').innerText()).toContain('left the page 1 time · 1 paste (42 characters)');
    await screenshot(r, 'recruiter-opening-watch');

    // Rotating the link: the old one stops working, the new one works.
    await card.getByRole('button', { name: 'Rotate link' }).click();
    await card.getByRole('button', { name: 'Yes, rotate the link' }).click();
    await expect.poll(() => card.getByTestId('share-link').inputValue()).not.toBe(link);
    const rotated = await card.getByTestId('share-link').inputValue();
    const other = await candidate.context.newPage();
    await other.goto(new URL(link).pathname);
    await other.getByRole('heading', { name: 'This link does not work' }).waitFor();
    await other.goto(new URL(rotated).pathname);
    await other.getByRole('heading', { name: title }).waitFor();

    // Archiving closes the link for good.
    await card.getByRole('button', { name: 'Archive' }).click();
    await card.getByRole('button', { name: 'Yes, archive' }).click();
    await card.waitFor({ state: 'detached' });
    await other.goto(new URL(rotated).pathname);
    await other.getByRole('heading', { name: 'This interview is closed' }).waitFor();
    await screenshot(other, 'opening-closed');

    // 404/410 answers of the link are expected resource errors; nothing else.
    expect(recruiter.errors).toEqual([]);
    expect(candidate.errors.filter((e) => !/40[4]|410/.test(e))).toEqual([]);
    await recruiter.context.close();
    await candidate.context.close();
  });
});
