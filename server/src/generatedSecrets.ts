import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { GeneratedSecretName, SecretSource } from './config.js';

const FILE = 'generated-secrets.json';

/** Where generated secrets of a DATA_DIR live (the recruiter token is read from there). */
export function generatedSecretsFile(dataDir: string): string {
  return path.join(dataDir, FILE);
}

/**
 * Embedded mode only: secrets nobody configured are generated once and kept in
 * DATA_DIR (mode 0600), so candidate tokens and the recruiter token stay valid
 * across restarts, like the data they protect. `onCreate` is told the first time.
 */
export function persistedSecretSource(onCreate: (name: GeneratedSecretName, file: string) => void): SecretSource {
  return (name, dataDir) => {
    const file = generatedSecretsFile(dataDir);
    const stored = readSecrets(file);
    const existing = stored[name];
    if (existing) return existing;
    const value = randomBytes(name === 'RECRUITER_TOKEN' ? 18 : 32).toString('base64url');
    fs.mkdirSync(dataDir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ ...stored, [name]: value }, null, 2), { mode: 0o600 });
    fs.renameSync(tmp, file);
    onCreate(name, file);
    return value;
  };
}

function readSecrets(file: string): Partial<Record<GeneratedSecretName, string>> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null) return {};
  const out: Partial<Record<GeneratedSecretName, string>> = {};
  for (const name of ['SESSION_SECRET', 'RECRUITER_TOKEN', 'ELEVENLABS_WEBHOOK_SECRET'] as const) {
    const value = (parsed as Record<string, unknown>)[name];
    if (typeof value === 'string' && value.length > 0) out[name] = value;
  }
  return out;
}
