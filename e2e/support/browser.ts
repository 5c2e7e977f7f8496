import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const ARTIFACTS = path.join(repoRoot, 'test-artifacts');

/** Debian's Chromium, used when installed. */
export const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/** What every e2e browser runs with, whichever build it is. */
const TEST_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-quic',
  '--disable-sync',
];

/**
 * Flags of @sparticuz/chromium's own `args` (made for one-page-per-process Lambdas)
 * that the tests cannot keep:
 * - `--single-process`, `--no-zygote`: the browser dies when Playwright closes a context;
 * - `--headless='shell'`: Playwright and TEST_ARGS pass `--headless`;
 * - GPU/SwiftShader flags: they contradict `--disable-gpu`;
 * - `--disable-web-security`, `--allow-running-insecure-content`, `--disable-site-isolation-trials`:
 *   the pages must meet the same origin, CSP and mixed-content rules a user's browser applies;
 * - `--disable-features=` / `--enable-features=`: Chromium keeps only the last of each, so
 *   they would silently replace Playwright's own feature lists.
 */
const DROPPED = new Set([
  '--single-process',
  '--no-zygote',
  '--headless',
  '--ignore-gpu-blocklist',
  '--in-process-gpu',
  '--use-gl',
  '--use-angle',
  '--enable-unsafe-swiftshader',
  '--disable-webgl',
  '--disable-web-security',
  '--allow-running-insecure-content',
  '--disable-site-isolation-trials',
  '--disable-features',
  '--enable-features',
]);

const flagName = (arg: string): string => arg.split('=')[0]!;

/** The package's args minus the conflicting ones, then ours; one entry per flag name. */
export function mergeChromiumArgs(packageArgs: readonly string[]): string[] {
  const ours = new Set(TEST_ARGS.map(flagName));
  const kept = packageArgs.filter((arg) => !DROPPED.has(flagName(arg)) && !ours.has(flagName(arg)));
  return [...new Set([...kept, ...TEST_ARGS])];
}

export interface ChromiumChoice {
  executablePath: string;
  args: string[];
  /** Where the build came from, for the one line a failing launch prints. */
  source: 'CHROMIUM_PATH' | 'debian' | '@sparticuz/chromium';
}

/**
 * The browser the e2e tests drive, first found wins: `CHROMIUM_PATH`, Debian's
 * `/usr/bin/chromium`, else the build shipped inside the npm package
 * `@sparticuz/chromium` (a brotli-compressed binary in the package itself,
 * extracted on first use; nothing is downloaded).
 */
export async function resolveChromium(env: NodeJS.ProcessEnv = process.env): Promise<ChromiumChoice> {
  const configured = env['CHROMIUM_PATH'];
  if (configured) {
    if (!fs.existsSync(configured)) throw new Error(`CHROMIUM_PATH=${configured} does not exist`);
    return { executablePath: configured, args: TEST_ARGS, source: 'CHROMIUM_PATH' };
  }
  if (fs.existsSync(DEBIAN_CHROMIUM)) return { executablePath: DEBIAN_CHROMIUM, args: TEST_ARGS, source: 'debian' };
  return extractPackagedChromium();
}

let extracted: Promise<ChromiumChoice> | undefined;

/**
 * The package extracts into `os.tmpdir()` and trusts whatever `chromium` it finds
 * there, which concurrent test processes (or another version's run) could have
 * half-written. So each version is extracted into a private staging directory and
 * renamed into place as a whole: `<tmp>/candor-chromium-<version>` is complete or
 * absent, and later runs reuse it (~3 s saved).
 */
function extractPackagedChromium(): Promise<ChromiumChoice> {
  return (extracted ??= (async () => {
    const { pkgDir, version } = packageOf(createRequire(import.meta.url).resolve('@sparticuz/chromium'));
    const { default: Chromium } = await import('@sparticuz/chromium');
    const args = mergeChromiumArgs(Chromium.args);
    const finalDir = path.join(os.tmpdir(), `candor-chromium-${version}`);
    const executablePath = path.join(finalDir, 'chromium');
    if (fs.existsSync(executablePath)) return { executablePath, args, source: '@sparticuz/chromium' as const };

    removeAbandonedPartials(path.basename(finalDir));
    const staging = fs.mkdtempSync(`${finalDir}.partial-`);
    try {
      // executablePath() reads os.tmpdir() (TMPDIR) synchronously before its first await.
      const saved = process.env['TMPDIR'];
      process.env['TMPDIR'] = staging;
      const inflating = Chromium.executablePath(path.join(pkgDir, 'bin'));
      if (saved === undefined) delete process.env['TMPDIR'];
      else process.env['TMPDIR'] = saved;
      const inflated = await inflating;
      if (inflated !== path.join(staging, 'chromium')) throw new Error(`@sparticuz/chromium extracted to ${inflated}, expected ${staging}`);
      try {
        fs.renameSync(staging, finalDir);
      } catch (err) {
        // Another process finished first: its copy is complete, use it.
        if (!fs.existsSync(executablePath)) throw err;
      }
    } finally {
      fs.rmSync(staging, { recursive: true, force: true });
    }
    return { executablePath, args, source: '@sparticuz/chromium' as const };
  })());
}

/** The package's root and version (its exports map hides package.json from require.resolve). */
function packageOf(entry: string): { pkgDir: string; version: string } {
  for (let dir = path.dirname(entry); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (!fs.existsSync(file)) continue;
    const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === '@sparticuz/chromium' && pkg.version) return { pkgDir: dir, version: pkg.version };
  }
  throw new Error(`no package.json of @sparticuz/chromium above ${entry}`);
}

/** Staging directories of extractions that were killed midway (~200 MB each), once they are clearly stale. */
function removeAbandonedPartials(base: string): void {
  const stale = Date.now() - 10 * 60_000;
  for (const name of fs.readdirSync(os.tmpdir())) {
    if (!name.startsWith(`${base}.partial-`)) continue;
    const dir = path.join(os.tmpdir(), name);
    try {
      if (fs.statSync(dir).mtimeMs < stale) fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // Gone already (another process cleaned it).
    }
  }
}

export async function launchChromium(): Promise<Browser> {
  const choice = await resolveChromium();
  try {
    return await chromium.launch({ executablePath: choice.executablePath, args: choice.args, headless: true });
  } catch (err) {
    throw new Error(`Chromium (${choice.source}, ${choice.executablePath}) did not start: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
}

/** A fresh browser profile (own localStorage) with page errors collected for the test to assert on. */
export async function newContext(browser: Browser, baseUrl: string, viewport = { width: 1200, height: 900 }): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  return { context, page, errors };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}
