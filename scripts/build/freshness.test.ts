import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inputDigest, isFresh, readStamps, writeStamp, type BuildInputs } from './freshness.js';

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

function tree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'candor-fresh-'));
  roots.push(root);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

const CLIENT: BuildInputs = {
  paths: ['client', 'shared', 'package-lock.json'],
  ignore: (p) => p.endsWith('.test.ts'),
  extra: 'NODE_ENV=',
  output: 'dist/client/index.html',
};

describe('skipping a build whose inputs did not change', () => {
  it('a second build with unchanged sources is skipped; a changed source, a new file or another NODE_ENV rebuilds', () => {
    const root = tree({ 'client/src/app.tsx': 'a', 'shared/x.ts': 'x', 'package-lock.json': '{}', 'dist/client/index.html': '<html>' });
    const stamps = path.join(root, 'dist/build-stamps.json');
    expect(isFresh(root, readStamps(stamps), 'client', CLIENT)).toBe(false);
    writeStamp(stamps, 'client', inputDigest(root, CLIENT));
    expect(isFresh(root, readStamps(stamps), 'client', CLIENT)).toBe(true);

    // mtimes alone (a fresh checkout) do not count, content does.
    const app = path.join(root, 'client/src/app.tsx');
    fs.utimesSync(app, new Date(), new Date(Date.now() + 60_000));
    expect(isFresh(root, readStamps(stamps), 'client', CLIENT)).toBe(true);
    fs.writeFileSync(app, 'b');
    expect(isFresh(root, readStamps(stamps), 'client', CLIENT)).toBe(false);
    fs.writeFileSync(app, 'a');
    expect(isFresh(root, readStamps(stamps), 'client', CLIENT)).toBe(true);

    fs.writeFileSync(path.join(root, 'shared/y.ts'), 'y');
    expect(isFresh(root, readStamps(stamps), 'client', CLIENT)).toBe(false);
    fs.rmSync(path.join(root, 'shared/y.ts'));
    expect(isFresh(root, readStamps(stamps), 'client', { ...CLIENT, extra: 'NODE_ENV=production' })).toBe(false);
  });

  it('files that cannot change the output are ignored; a deleted output rebuilds whatever the stamp says', () => {
    const root = tree({ 'client/src/app.tsx': 'a', 'shared/x.ts': 'x', 'package-lock.json': '{}', 'dist/client/index.html': '<html>' });
    const stamps = path.join(root, 'dist/build-stamps.json');
    writeStamp(stamps, 'client', inputDigest(root, CLIENT));
    fs.writeFileSync(path.join(root, 'shared/x.test.ts'), 'a test');
    expect(isFresh(root, readStamps(stamps), 'client', CLIENT)).toBe(true);
    fs.rmSync(path.join(root, 'dist/client'), { recursive: true });
    expect(isFresh(root, readStamps(stamps), 'client', CLIENT)).toBe(false);
  });

  it('each step keeps its own stamp', () => {
    const root = tree({ 'server/src/main.ts': 'm', 'dist/server/src/main.js': 'js', 'client/src/app.tsx': 'a', 'dist/client/index.html': '<html>' });
    const stamps = path.join(root, 'dist/build-stamps.json');
    const server: BuildInputs = { paths: ['server/src'], output: 'dist/server/src/main.js' };
    writeStamp(stamps, 'server', inputDigest(root, server));
    writeStamp(stamps, 'client', inputDigest(root, CLIENT));
    fs.writeFileSync(path.join(root, 'server/src/main.ts'), 'changed');
    expect(isFresh(root, readStamps(stamps), 'server', server)).toBe(false);
    expect(isFresh(root, readStamps(stamps), 'client', CLIENT)).toBe(true);
  });
});
