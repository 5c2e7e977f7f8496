import path from 'node:path';
import type { Config } from './config.js';
import { generatedSecretsFile } from './generatedSecrets.js';

/**
 * The block `npm start` prints once on stdout when the server listens: where to
 * go, where the recruiter token is, and which real part or stand-in runs each
 * concern. For people, not log collectors (the JSON log line "candor listening"
 * stays). Never prints a secret, and never a credential inside a URL.
 */
export function startupBanner(config: Config, running: { url: string; mongodbUri: string }): string {
  // RECRUITER_TOKEN is the bootstrap admin (docs/recruiters.md); named recruiters get their own.
  const token = `${
    config.generatedSecrets.includes('RECRUITER_TOKEN') ? `"RECRUITER_TOKEN" in ${generatedSecretsFile(config.dataDir)}` : 'the value of RECRUITER_TOKEN'
  } (admin; more with npm run recruiter:add)`;
  const database = config.mongodbUri
    ? `MongoDB at ${mongoHosts(config.mongodbUri)} (MONGODB_URI)`
    : `embedded, data in ${path.join(config.dataDir, 'db')} (${running.mongodbUri} while running; set MONGODB_URI for a real MongoDB)`;
  const interviewer = config.openai
    ? `OpenAI, model ${config.openai.model}${config.openai.baseURL ? ` at ${hostOf(config.openai.baseURL)}` : ''}`
    : 'scripted (set OPENAI_API_KEY for OpenAI)';
  const voice = config.voice.elevenLabs
    ? `ElevenLabs, agent ${config.voice.elevenLabs.agentId}`
    : `simulator, webhook after ${config.voice.simulatedWebhookDelayMs} ms (set ELEVENLABS_API_KEY for ElevenLabs; QA console ${running.url}/qa)`;
  const fanout = config.redisUrl
    ? `Redis at ${hostOf(config.redisUrl)}, key prefix "${config.redisPrefix}" (multi-node)`
    : 'single node, in memory (set REDIS_URL for several nodes)';
  const rows: [string, string][] = [
    ['Candidates', `${running.url}/`],
    ['Recruiters', `${running.url}/recruiter`],
    ['Recruiter token', token],
    ['Database', database],
    ['Interviewer', interviewer],
    ['Voice', voice],
    ['Fan-out', fanout],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return [
    `candor: listening on ${running.url}`,
    '',
    ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
    '',
    '  Stop with Ctrl-C. Logs are the JSON lines around this block.',
    '',
  ].join('\n');
}

/** host:port of a URL, without user, password, path or query. */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(unparsable URL)';
  }
}

/**
 * The host list of a MongoDB URI ("a:27017,b:27017" for a replica set, which
 * WHATWG URL cannot parse), without credentials or options, plus its database.
 */
function mongoHosts(uri: string): string {
  const afterScheme = uri.replace(/^mongodb(\+srv)?:\/\//, '');
  const slash = afterScheme.indexOf('/');
  const authority = slash === -1 ? afterScheme : afterScheme.slice(0, slash);
  const hosts = authority.slice(authority.lastIndexOf('@') + 1).split('?')[0];
  const database = slash === -1 ? '' : afterScheme.slice(slash + 1).split('?')[0];
  return database ? `${hosts}, database ${database}` : (hosts ?? '');
}
