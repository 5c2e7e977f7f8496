import fs from 'node:fs';
import Chromium from '@sparticuz/chromium';
import { describe, expect, it } from 'vitest';
import { DEBIAN_CHROMIUM, mergeChromiumArgs, resolveChromium } from './support/browser.js';

const name = (arg: string) => arg.split('=')[0];

describe('which Chromium the e2e tests drive', () => {
  it('CHROMIUM_PATH wins, and a wrong one fails at once naming the path', async () => {
    await expect(resolveChromium({ CHROMIUM_PATH: '/nowhere/chromium' })).rejects.toThrow('CHROMIUM_PATH=/nowhere/chromium does not exist');
    const chosen = await resolveChromium({ CHROMIUM_PATH: process.execPath });
    expect(chosen).toMatchObject({ executablePath: process.execPath, source: 'CHROMIUM_PATH' });
  });

  it('without CHROMIUM_PATH: Debian Chromium when installed, else the extracted package build', async () => {
    const chosen = await resolveChromium({});
    if (fs.existsSync(DEBIAN_CHROMIUM)) {
      expect(chosen.source).toBe('debian');
    } else {
      expect(chosen.source).toBe('@sparticuz/chromium');
      expect(fs.statSync(chosen.executablePath).mode & 0o111).not.toBe(0);
    }
  });

  it("keeps the package's flags except those that break contexts, GPU-less runs or web security, and adds the tests' own", () => {
    const args = mergeChromiumArgs(Chromium.args);
    for (const needed of ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-quic', '--disable-sync']) {
      expect(args).toContain(needed);
    }
    for (const dropped of ['--single-process', '--no-zygote', '--use-gl', '--in-process-gpu', '--disable-web-security', '--allow-running-insecure-content', '--disable-features', '--enable-features']) {
      expect(args.map(name)).not.toContain(dropped);
    }
    expect(args).toContain('--disable-setuid-sandbox');
    expect(new Set(args.map(name)).size).toBe(args.length);
  });
});
