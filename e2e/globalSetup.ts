import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { startTestServer, type TestServer } from '../server/test/support/server.js';
import { resolveChromium } from './support/browser.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    recruiterToken: string;
  }
}

let server: TestServer | undefined;
let clientDir: string | undefined;

/**
 * Once for the e2e project: builds the client (the same `vite build` as
 * `npm run build:client`, into a temp dir so a running `npm start` is not
 * disturbed) and starts a real Candor server serving it, with tokens paced
 * fast but visibly and no answer rate limit.
 */
export async function setup(project: TestProject): Promise<void> {
  // Found (and, for the packaged build, extracted) once here, while the client builds, so the test files only reuse it.
  const browser = resolveChromium();
  browser.catch(() => undefined);
  clientDir = fs.mkdtempSync(path.join(os.tmpdir(), 'candor-client-'));
  // A child process with NODE_ENV=production: under vitest NODE_ENV is 'test', which would bundle React's dev build.
  const build = spawn(
    process.execPath,
    [path.join(repoRoot, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'client/vite.config.ts', '--outDir', clientDir, '--emptyOutDir', '--logLevel', 'error'],
    { cwd: repoRoot, env: { ...process.env, NODE_ENV: 'production' }, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const code = await new Promise<number | null>((resolve, reject) => build.once('error', reject).once('exit', resolve));
  if (code !== 0) throw new Error(`vite build of the client exited ${code}`);
  const chosen = await browser;
  process.stdout.write(`e2e: Chromium from ${chosen.source} (${chosen.executablePath})\n`);
  server = await startTestServer(
    {
      SCRIPTED_TOKEN_DELAY_MS: '12',
      ANSWER_MIN_INTERVAL_MS: '0',
      DISCONNECT_GRACE_MS: '5000',
      // The voice simulator's post-call webhook comes this long after the end, so the results page visibly waits for it.
      SIMULATED_WEBHOOK_DELAY_MS: '3000',
      LOG_LEVEL: 'warn',
    },
    { clientDir },
  );
  project.provide('baseUrl', server.url);
  project.provide('recruiterToken', server.config.recruiterToken);
}

export async function teardown(): Promise<void> {
  await server?.close();
  if (server) fs.rmSync(server.dataDir, { recursive: true, force: true });
  if (clientDir) fs.rmSync(clientDir, { recursive: true, force: true });
}
