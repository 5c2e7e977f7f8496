import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { afterEach, describe, expect, it } from 'vitest';
import { removeDir, tempDir, type SessionDoc } from './helpers.js';

const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../src/db/embedded/cli.ts');
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map(removeDir));
});

describe('db:embedded CLI', () => {
  it('prints its URI for --port 0, serves a plain driver client, and exits 0 on SIGTERM', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    const child = spawn(process.execPath, ['--import', 'tsx', cli, '--port', '0', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    const uri = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n')[0];
        if (out.includes('\n') && line) resolve(line.trim());
      });
      child.once('exit', () => reject(new Error(`cli exited before printing its URI: ${stderr}`)));
    });
    expect(uri).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/candor$/);
    expect(uri).not.toContain(':0/');

    const client = await MongoClient.connect(uri);
    try {
      const c = client.db().collection<SessionDoc>('cli');
      await c.createIndex({ key: 1 }, { unique: true });
      const { insertedId } = await c.insertOne({ key: 'k1', messages: [] });
      await c.updateOne({ _id: insertedId, 'messages.id': { $ne: 'm1' } }, { $push: { messages: { id: 'm1' } } });
      expect(await c.findOne({ key: 'k1' }, { projection: { _id: 0 } })).toEqual({ key: 'k1', messages: [{ id: 'm1' }] });
      await expect(c.insertOne({ key: 'k1' })).rejects.toMatchObject({ code: 11000 });
    } finally {
      await client.close();
    }
    child.kill('SIGTERM');
    expect(await exit).toEqual({ code: 0, signal: null });
  });
});
