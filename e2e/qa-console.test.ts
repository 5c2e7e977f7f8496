import type { Browser } from 'playwright-core';
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

describe('QA console in Chromium (server simulator)', () => {
  it('replays a missing-conversationId webhook, a forged one, a triple delivery and a stale-signed copy, each from one click', async () => {
    const { context, page, errors } = await newContext(browser, baseUrl);
    await page.goto('/qa');
    await page.getByRole('button', { name: 'Run all' }).waitFor();
    await expect.poll(() => page.getByLabel('Role').inputValue()).not.toBe('');

    for (const id of ['no-conversation-id', 'forged', 'duplicate', 'stale']) {
      const row = page.getByTestId(`qa-${id}`);
      await row.getByRole('button', { name: /^Run:/ }).click();
      await row.getByText(/^(pass|FAIL|error)$/).waitFor({ timeout: 30_000 });
      expect(await row.locator('td[data-label="Result"]').innerText(), await row.innerText()).toBe('pass');
    }
    // The delivery logs are shown in the outcome, as the server's webhook route answered each delivery.
    const log = (id: string) => page.getByTestId(`qa-${id}`).getByTestId('qa-deliveries').locator('li').allInnerTexts();
    expect((await log('duplicate')).map((t) => t.split(/\s+/).slice(0, 2).join(' '))).toEqual(['200 valid', '200 duplicate', '200 duplicate']);
    expect((await log('stale')).map((t) => t.split(/\s+/).slice(0, 2).join(' '))).toEqual(['401 stale', '200 valid']);
    await screenshot(page, 'qa-console');
    // The forged webhook is refused by the server: Chromium logs the 401 as a failed resource, nothing else.
    expect(errors.filter((e) => !e.includes('401'))).toEqual([]);
    await context.close();
  });
});
