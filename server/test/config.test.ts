import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('starts on embedded defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ env: 'development', port: 3000, mongodbUri: undefined, redisUrl: undefined, logLevel: 'info' });
    expect(config.dataDir).toBe(path.resolve('./data'));
    expect(config.generatedSecrets).toEqual(['SESSION_SECRET', 'RECRUITER_TOKEN']);
    expect(config.sessionSecret.length).toBeGreaterThanOrEqual(32);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', MONGODB_URI: '' })).toMatchObject({ port: 3000, mongodbUri: undefined });
  });

  it('names the variable and the reason for a bad value', () => {
    expect(problemsOf({ PORT: 'abc' })).toEqual(['PORT must be a number']);
    expect(problemsOf({ PORT: '70000' })).toEqual(['PORT must be between 0 and 65535']);
    expect(problemsOf({ MONGODB_URI: 'http://db' })).toEqual(['MONGODB_URI must start with mongodb:// or mongodb+srv://']);
    expect(problemsOf({ REDIS_URL: 'localhost:6379' })).toEqual(['REDIS_URL must start with redis:// or rediss://']);
    expect(problemsOf({ LOG_LEVEL: 'loud' })[0]).toMatch(/^LOG_LEVEL /);
    expect(problemsOf({ SESSION_SECRET: 'short' })).toEqual(['SESSION_SECRET must be at least 32 characters']);
  });

  it('refuses production without a database and secrets', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual([
      'MONGODB_URI is required when NODE_ENV=production',
      'SESSION_SECRET is required when NODE_ENV=production',
      'RECRUITER_TOKEN is required when NODE_ENV=production',
    ]);
  });

  it('accepts a complete production configuration without generating anything', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      MONGODB_URI: 'mongodb://db:27017/candor?replicaSet=rs0',
      REDIS_URL: 'redis://redis:6379',
      // Production refuses repeated-character secrets (server/test/hardening/productionConfig.test.ts).
      SESSION_SECRET: 'Zq7vN2kLw9Xc4RbT1yHs8MfJ3pGd6AeU',
      RECRUITER_TOKEN: 'r8Kp2Wm5Qx9Lt4Vz',
      PORT: '8080',
    });
    expect(config).toMatchObject({ env: 'production', port: 8080, redisUrl: 'redis://redis:6379', generatedSecrets: [] });
  });

  it('asks the secret source for each missing secret, with the data directory', () => {
    const asked: string[] = [];
    const config = loadConfig({ DATA_DIR: '/tmp/candor-x', RECRUITER_TOKEN: 'r'.repeat(16) }, (name, dir) => {
      asked.push(`${name}@${dir}`);
      return 'g'.repeat(40);
    });
    expect(asked).toEqual(['SESSION_SECRET@/tmp/candor-x', 'ELEVENLABS_WEBHOOK_SECRET@/tmp/candor-x']);
    expect(config.sessionSecret).toBe('g'.repeat(40));
    expect(config.recruiterToken).toBe('r'.repeat(16));
  });
});
