import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { startupBanner } from '../src/startupBanner.js';

const URL = 'http://localhost:3000';

describe('the block npm start prints once it listens', () => {
  it('on embedded defaults: the pages, where the generated recruiter token is, and every stand-in in use', () => {
    const config = loadConfig({ DATA_DIR: '/srv/candor-data' });
    const banner = startupBanner(config, { url: URL, mongodbUri: 'mongodb://127.0.0.1:41234/candor' });
    const lines = banner.trimEnd().split('\n');
    expect(lines[0]).toBe('candor: listening on http://localhost:3000');
    expect(banner).toMatch(/^ {2}Candidates +http:\/\/localhost:3000\/$/m);
    expect(banner).toMatch(/^ {2}Recruiters +http:\/\/localhost:3000\/recruiter$/m);
    expect(banner).toMatch(/^ {2}Recruiter token +"RECRUITER_TOKEN" in \/srv\/candor-data\/generated-secrets\.json \(admin; more with npm run recruiter:add\)$/m);
    expect(banner).toContain(`embedded, data in ${path.join('/srv/candor-data', 'db')} (mongodb://127.0.0.1:41234/candor while running`);
    expect(banner).toMatch(/Interviewer +scripted \(set OPENAI_API_KEY/);
    expect(banner).toMatch(/Voice +simulator, webhook after 3000 ms/);
    expect(banner).toMatch(/Fan-out +single node, in memory/);
    // Plain text for people: no JSON line, and no secret anywhere.
    expect(lines.some((l) => l.trimStart().startsWith('{'))).toBe(false);
    for (const secret of [config.recruiterToken, config.sessionSecret, config.voice.webhookSecret]) expect(banner).not.toContain(secret);
  });

  it('with real services configured: names them by host only, never with the credentials in their URLs', () => {
    const config = loadConfig({
      MONGODB_URI: 'mongodb://candor:db-pass-123@mongo-a:27017,mongo-b:27017/candor?replicaSet=rs0&authSource=admin',
      REDIS_URL: 'redis://:redis-pass-456@redis:6379/0',
      REDIS_PREFIX: 'prod',
      RECRUITER_TOKEN: 'recruiter-token-from-env-7f3a9c',
      SESSION_SECRET: 'session-secret-from-env-0123456789abcdef',
      OPENAI_API_KEY: 'sk-test-openai-key-789',
      OPENAI_MODEL: 'gpt-4o',
      ELEVENLABS_API_KEY: 'xi-test-key-000',
      ELEVENLABS_AGENT_ID: 'agent_42',
    });
    const banner = startupBanner(config, { url: 'http://candor.example:8080', mongodbUri: config.mongodbUri! });
    expect(banner).toMatch(/Recruiter token +the value of RECRUITER_TOKEN \(admin; more with npm run recruiter:add\)$/m);
    expect(banner).toMatch(/Database +MongoDB at mongo-a:27017,mongo-b:27017, database candor \(MONGODB_URI\)$/m);
    expect(banner).toMatch(/Interviewer +OpenAI, model gpt-4o$/m);
    expect(banner).toMatch(/Voice +ElevenLabs, agent agent_42$/m);
    expect(banner).toMatch(/Fan-out +Redis at redis:6379, key prefix "prod" \(multi-node\)$/m);
    for (const secret of ['db-pass-123', 'candor:db', 'redis-pass-456', 'recruiter-token-from-env', 'session-secret-from-env', 'sk-test-openai', 'xi-test-key', 'authSource']) {
      expect(banner).not.toContain(secret);
    }
  });
});
