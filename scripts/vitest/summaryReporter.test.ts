import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Runs the real vitest CLI on one fixture file (scripts/vitest/fixtures, named
 * *.fixture.ts so no project of the main config picks them up) with the summary
 * reporter alone, and returns its exit code and closing line.
 */
async function runFixture(filter: string): Promise<{ code: number | null; lastLine: string; stdout: string }> {
  // The parent run's VITEST_* variables would make the child believe it is a worker.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST')));
  const child = spawn(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--config', 'scripts/vitest/fixtures/vitest.config.ts', filter], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.resume();
  const code = await new Promise<number | null>((resolve, reject) => child.once('error', reject).once('exit', resolve));
  const lines = stdout.trim().split('\n');
  return { code, lastLine: lines.at(-1) ?? '', stdout };
}

// One child vitest at a time: each is a whole vitest start-up, and the machine has two cores.
describe('the closing summary line', { timeout: 60_000 }, () => {
  it('a failing test counts once, not again for its suite and file', async () => {
    const run = await runFixture('failingTest');
    expect(run.code).not.toBe(0);
    expect(run.lastLine).toBe('1 passed, 1 failed, 0 skipped');
    expect(run.stdout).not.toContain('outside any test');
  });

  it('a file that fails to import counts as failed', async () => {
    const run = await runFixture('failsToImport');
    expect(run.code).not.toBe(0);
    expect(run.lastLine).toBe('0 passed, 1 failed, 0 skipped');
  });

  it('a beforeAll that throws counts as failed although its tests never ran', async () => {
    const run = await runFixture('beforeAllThrows');
    expect(run.code).not.toBe(0);
    expect(run.lastLine).toBe('0 passed, 1 failed, 2 skipped');
  });

  it('an afterAll that throws counts as failed next to the test that passed', async () => {
    const run = await runFixture('afterAllThrows');
    expect(run.code).not.toBe(0);
    expect(run.lastLine).toBe('1 passed, 1 failed, 0 skipped');
  });

  it('an unhandled rejection counts as failed although every test passed', async () => {
    const run = await runFixture('unhandledRejection');
    expect(run.code).not.toBe(0);
    expect(run.lastLine).toBe('1 passed, 1 failed, 0 skipped');
  });

  it('a run that found no test file counts as failed', async () => {
    const run = await runFixture('noFixtureHasThisName');
    expect(run.code).not.toBe(0);
    expect(run.lastLine).toBe('0 passed, 1 failed, 0 skipped');
  });

  it('a clean file ends with 0 failed and exit code 0', async () => {
    const run = await runFixture('passes');
    expect(run.code).toBe(0);
    expect(run.lastLine).toBe('1 passed, 0 failed, 1 skipped');
    expect(run.stdout).not.toContain('outside any test');
  });
});
