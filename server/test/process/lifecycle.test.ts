import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeDataDir, runMain, startCandorProcess, type CandorProcess } from '../support/candorProcess.js';

const running: CandorProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.kill('SIGKILL')));
});

async function start(env: Record<string, string> = {}): Promise<CandorProcess> {
  const candor = await startCandorProcess(env);
  running.push(candor);
  return candor;
}

// Each test starts real server processes (tsx compiles on start): allow for a busy machine.
describe('process lifecycle', { timeout: 60_000 }, () => {
  it('a bad PORT stops the server with a one-line reason and exit code 2', async () => {
    const child = runMain({ PORT: 'abc', DATA_DIR: makeDataDir() });
    expect(await child.exited).toBe(2);
    expect(child.stderr()).toBe('candor: Invalid configuration: PORT must be a number\n');
  });

  it('production without a database or secrets refuses to start', async () => {
    const child = runMain({ NODE_ENV: 'production', DATA_DIR: makeDataDir() });
    expect(await child.exited).toBe(2);
    expect(child.stderr().trim().split('\n')).toHaveLength(1);
    expect(child.stderr()).toContain('MONGODB_URI is required when NODE_ENV=production');
  });

  it('starts on embedded defaults and is ready with its database', async () => {
    const candor = await start();
    expect((await fetch(`${candor.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${candor.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'ok' } });
  });

  it('generated secrets are created once, kept private, and reused after a restart', async () => {
    const dataDir = makeDataDir();
    const first = await start({ DATA_DIR: dataDir });
    expect(first.stdout()).toMatch(/candor: generated SESSION_SECRET .*RECRUITER_TOKEN/);
    expect(await first.kill('SIGTERM')).toBe(0);
    const file = path.join(dataDir, 'generated-secrets.json');
    const before = fs.readFileSync(file, 'utf8');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);

    const second = await start({ DATA_DIR: dataDir });
    expect(second.stdout()).not.toContain('candor: generated');
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
  });

  it('SIGTERM lets an in-flight request finish, then exits 0', async () => {
    const candor = await start();
    const { port } = new URL(candor.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    let response = '';
    socket.on('data', (chunk: Buffer) => (response += chunk.toString('utf8')));
    const body = JSON.stringify({ hello: 'world' });
    // Headers and half the body: the request is in flight when the signal arrives.
    socket.write(`POST /api/nowhere HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    socket.write(body.slice(0, 5));
    await new Promise((resolve) => setTimeout(resolve, 150));
    candor.proc.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(candor.proc.exitCode).toBeNull();
    socket.write(body.slice(5));
    const code = await candor.exited;
    socket.destroy();
    expect(response).toMatch(/^HTTP\/1\.1 404/);
    expect(response).toContain('"code":"NOT_FOUND"');
    expect(code).toBe(0);
  });
});
