/**
 * `npm run build` (and so `npm start`): compiles the server and bundles the client,
 * each only when its inputs changed since the last successful build (digests in
 * dist/build-stamps.json). The server compile is incremental as well
 * (tsconfig.build.json's tsBuildInfoFile), so a one-file change recompiles little.
 * `--force` builds both regardless.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { inputDigest, isFresh, readStamps, writeStamp, type BuildInputs } from './freshness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const STAMPS = path.join(root, 'dist/build-stamps.json');
const isTest = (p: string) => /\.test\.tsx?$/.test(p) || p.startsWith('client/src/test/');

/** What each step reads; keep in step with tsconfig.build.json and client/vite.config.ts. */
const STEPS: Record<'server' | 'client', BuildInputs & { command: string[] }> = {
  server: {
    paths: ['server/src', 'shared', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'],
    output: 'dist/server/src/main.js',
    command: ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'],
  },
  client: {
    paths: ['client', 'shared', 'tsconfig.json', 'package-lock.json'],
    ignore: isTest,
    // Vite bundles React's development build unless NODE_ENV is production (its default for `build`).
    extra: `NODE_ENV=${process.env['NODE_ENV'] ?? ''}`,
    output: 'dist/client/index.html',
    command: ['node_modules/vite/bin/vite.js', 'build', '--config', 'client/vite.config.ts'],
  },
};

function run(args: string[]): Promise<number | null> {
  const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
  return new Promise((resolve, reject) => child.once('error', reject).once('exit', resolve));
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { force: { type: 'boolean', default: false } }, strict: true });
  for (const [step, inputs] of Object.entries(STEPS)) {
    const digest = inputDigest(root, inputs);
    if (!values.force && isFresh(root, readStamps(STAMPS), step, inputs, digest)) {
      process.stdout.write(`build: ${step} up to date, skipped\n`);
      continue;
    }
    const t0 = performance.now();
    const code = await run(inputs.command);
    if (code !== 0) {
      process.stderr.write(`build: ${step} failed (exit ${code})\n`);
      process.exit(code ?? 1);
    }
    writeStamp(STAMPS, step, digest);
    process.stdout.write(`build: ${step} built in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  }
}

await main();
