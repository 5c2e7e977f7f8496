import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';

/**
 * Every environment variable Candor reads, parsed once. Anything not set falls
 * back to the embedded mode (DESIGN.md "Modes"); production refuses to start
 * on those fallbacks.
 */
const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);
const optionalString = z.preprocess(emptyAsUndefined, z.string().optional());
const port = (fallback: number) =>
  z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(0, 'must be between 0 and 65535')
      .max(65535, 'must be between 0 and 65535')
      .default(fallback),
  );

const ms = (fallback: number, min = 0) =>
  z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number({ error: 'must be a number of milliseconds' })
      .int('must be a whole number of milliseconds')
      .min(min, `must be at least ${min}`)
      .default(fallback),
  );

const bytes = (fallback: number, min: number) =>
  z.preprocess(
    emptyAsUndefined,
    z.coerce.number({ error: 'must be a number of bytes' }).int('must be a whole number of bytes').min(min, `must be at least ${min}`).default(fallback),
  );

/** A count where 0 switches the limit off. */
const count = (fallback: number) =>
  z.preprocess(emptyAsUndefined, z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(0, 'must be at least 0').default(fallback));

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value.replace(/\/$/, '');
  } catch {
    return false;
  }
}

/** The Vite dev server (`npm run dev` + `npx vite`), allowed by default in development only. */
export const DEV_CLIENT_ORIGINS = ['http://localhost:5173', 'http://127.0.0.1:5173'];

const envSchema = z.object({
  NODE_ENV: z.preprocess(emptyAsUndefined, z.enum(['development', 'test', 'production']).default('development')),
  HOST: z.preprocess(emptyAsUndefined, z.string().default('0.0.0.0')),
  PORT: port(3000),
  DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default('./data')),
  MONGODB_URI: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
      .optional(),
  ),
  EMBEDDED_DB_PORT: port(0),
  EMBEDDED_DB_DURABILITY: z.preprocess(emptyAsUndefined, z.enum(['fsync', 'none']).default('fsync')),
  REDIS_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
      .optional(),
  ),
  REDIS_PREFIX: z.preprocess(emptyAsUndefined, z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'only A-Z a-z 0-9 _ . : - (max 64)').default('candor')),
  LOG_LEVEL: z.preprocess(emptyAsUndefined, z.enum(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly']).default('info')),
  SESSION_SECRET: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  RECRUITER_TOKEN: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  SHUTDOWN_TIMEOUT_MS: ms(10_000),
  RECRUITER_RECHECK_MS: ms(30_000),
  NODE_NAME: z.preprocess(emptyAsUndefined, z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'only A-Z a-z 0-9 _ . : - (max 64)').optional()),
  ANSWER_MIN_INTERVAL_MS: ms(3_000),
  SCRIPTED_TOKEN_DELAY_MS: ms(35),
  TURN_LEASE_MS: ms(15_000, 1_000),
  TOKEN_FRAME_MS: ms(16),
  DISCONNECT_GRACE_MS: ms(5_000),
  EVALUATION_LEASE_MS: ms(120_000, 1_000),
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: z.preprocess(emptyAsUndefined, z.url('must be a URL').optional()),
  OPENAI_MODEL: z.preprocess(emptyAsUndefined, z.string().min(1).default('gpt-4o-mini')),
  TRUST_PROXY: z.preprocess(emptyAsUndefined, z.enum(['true', 'false']).default('false')),
  // Voice (docs/voice.md)
  ELEVENLABS_API_KEY: optionalString,
  ELEVENLABS_AGENT_ID: z.preprocess(emptyAsUndefined, z.string().regex(/^[A-Za-z0-9_:.-]{1,128}$/, 'only A-Z a-z 0-9 _ : . - (max 128)').optional()),
  ELEVENLABS_WEBHOOK_SECRET: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  ELEVENLABS_BASE_URL: z.preprocess(emptyAsUndefined, z.url('must be a URL').optional()),
  SIMULATED_WEBHOOK_DELAY_MS: ms(3_000),
  SIMULATED_WEBHOOK: z.preprocess(emptyAsUndefined, z.enum(['on', 'off']).default('on')),
  RECONCILE_AFTER_MS: ms(120_000, 100),
  VOICE_LLM_KEY: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  VOICE_LLM_PATH: z.preprocess(emptyAsUndefined, z.string().regex(/^(\/[A-Za-z0-9_.-]+)+$/, 'a path like /llm/v1').default('/llm/v1')),
  // Limits and origins (docs/security.md, docs/operations.md)
  // An opening (20,000-char job description + 10 must-ask questions) is the largest body: up to ~80 KB in UTF-8.
  JSON_BODY_LIMIT_BYTES: bytes(128 * 1024, 1024),
  SOCKET_MAX_MESSAGE_BYTES: bytes(16 * 1024, 4 * 1024),
  SOCKET_MAX_CONNECTIONS_PER_IP: count(100),
  HTTP_RATE_LIMIT: count(100),
  HTTP_RATE_LIMIT_WINDOW_MS: ms(10_000, 1_000),
  CORS_ORIGINS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .optional()
      .transform((value, ctx) => {
        const origins = (value ?? '').split(',').map((o) => o.trim()).filter(Boolean);
        for (const origin of origins) {
          if (!isOrigin(origin)) ctx.addIssue({ code: 'custom', message: `"${origin.slice(0, 80)}" is not an origin like https://app.example.com` });
        }
        return value === undefined ? undefined : origins.map((o) => o.replace(/\/$/, ''));
      }),
  ),
  // Outgoing webhooks (docs/webhooks-out.md)
  PUBLIC_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional()),
  WEBHOOK_ALLOW_PRIVATE_TARGETS: z.preprocess(emptyAsUndefined, z.enum(['true', 'false']).default('false')),
  WEBHOOK_RETRY_HORIZON_MS: ms(24 * 3_600_000, 1_000),
  WEBHOOK_BACKOFF_BASE_MS: ms(5_000, 1),
  WEBHOOK_BACKOFF_MAX_MS: ms(3_600_000, 1),
  WEBHOOK_TIMEOUT_MS: ms(10_000, 100),
  WEBHOOK_LEASE_MS: ms(30_000, 1_000),
  WEBHOOK_POLL_MS: ms(1_000, 10),
  WEBHOOK_SECRET_GRACE_MS: ms(24 * 3_600_000),
  // Retention and erasure (docs/privacy.md)
  RETENTION_DAYS: z.preprocess(
    emptyAsUndefined,
    z.coerce.number({ error: 'must be a number of days' }).positive('must be more than 0 (unset = keep interviews)').max(36_500, 'must be at most 36500').optional(),
  ),
  RETENTION_SWEEP_INTERVAL_MS: ms(600_000, 1_000),
  WEBHOOK_MAX_BYTES: z.preprocess(
    emptyAsUndefined,
    z.coerce.number({ error: 'must be a number of bytes' }).int('must be a whole number of bytes').min(1024, 'must be at least 1024').default(2 * 1024 * 1024),
  ),
});

export type Env = z.input<typeof envSchema>;

export interface Config {
  env: 'development' | 'test' | 'production';
  host: string;
  port: number;
  dataDir: string;
  /** Set: talk to that MongoDB. Unset: start the embedded server (DESIGN.md). */
  mongodbUri: string | undefined;
  embeddedDb: { port: number; durability: 'fsync' | 'none' };
  redisUrl: string | undefined;
  /** Namespaces every Redis key and channel, so deployments (or test runs) sharing a Redis never mix. */
  redisPrefix: string;
  logLevel: string;
  sessionSecret: string;
  recruiterToken: string;
  /** How often each node re-checks its live /monitor sockets against revocations (0 = off; revocation also disconnects at once). */
  recruiterRecheckMs: number;
  /** Secrets Candor generated itself because none were configured (reported once at start). */
  generatedSecrets: GeneratedSecretName[];
  shutdownTimeoutMs: number;
  trustProxy: boolean;
  /** Stable name of this server process (default host:port); leases carry `<name>#<boot id>`. */
  nodeName: string | undefined;
  interview: {
    answerMinIntervalMs: number;
    turnLeaseMs: number;
    /** Deltas within one frame of the last token event go out as one `question:token` (0 = off). */
    tokenFrameMs: number;
    disconnectGraceMs: number;
    evaluationLeaseMs: number;
  };
  scripted: { tokenDelayMs: number };
  voice: {
    /** Set when ELEVENLABS_API_KEY is: real ElevenLabs; unset: the voice simulator (docs/voice.md). */
    elevenLabs: { apiKey: string; agentId: string; baseUrl: string | undefined } | undefined;
    /** HMAC key of `ElevenLabs-Signature`; generated and persisted like SESSION_SECRET when unset (not with a real key in production). */
    webhookSecret: string;
    webhookMaxBytes: number;
    simulatedWebhookDelayMs: number;
    simulatedWebhook: boolean;
    /** A session still `ended_pending_webhook` this long after its end is reconciled through the API. */
    reconcileAfterMs: number;
    /** Set when VOICE_LLM_KEY is: Candor serves the agent's Custom LLM at `<path>/chat/completions` (docs/voice.md). */
    customLlm: { key: string; path: string } | undefined;
  };
  /** Set when OPENAI_API_KEY is: the OpenAI interviewer replaces the scripted one. */
  openai: { apiKey: string; baseURL: string | undefined; model: string } | undefined;
  /** Request and connection limits (docs/security.md); a count of 0 switches that limit off. */
  limits: {
    jsonBodyBytes: number;
    socketMaxMessageBytes: number;
    socketConnectionsPerIp: number;
    /** REST requests per client IP per window (in Redis when REDIS_URL is set). */
    httpRateLimit: { points: number; windowMs: number };
  };
  /** Origins allowed to call /api and socket.io besides the server's own (CORS_ORIGINS). */
  corsOrigins: string[];
  /** Where receivers reach this server (links in webhook payloads); unset: the URL it listens on. */
  publicUrl: string | undefined;
  /** Outgoing webhooks (docs/webhooks-out.md). */
  webhooksOut: {
    /** Tests only: deliver to loopback/private addresses too. */
    allowPrivateTargets: boolean;
    retryHorizonMs: number;
    backoffBaseMs: number;
    backoffMaxMs: number;
    timeoutMs: number;
    /** > timeoutMs: a delivery's lease outlives its attempt, so no two nodes send it at once. */
    leaseMs: number;
    pollMs: number;
    secretGraceMs: number;
  };
  /** Retention and erasure (docs/privacy.md). */
  privacy: {
    /** Interviews are deleted this many days after they ended (or were last active); undefined keeps them. */
    retentionDays: number | undefined;
    /** How often each node resumes unfinished erasures and (when retention is on) tries to sweep. */
    sweepIntervalMs: number;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

export type GeneratedSecretName = 'SESSION_SECRET' | 'RECRUITER_TOKEN' | 'ELEVENLABS_WEBHOOK_SECRET';
/** Supplies a secret that was not configured; main.ts persists them under DATA_DIR so tokens survive a restart. */
export type SecretSource = (name: GeneratedSecretName, dataDir: string) => string;

const ephemeralSecret: SecretSource = (name) => randomBytes(name === 'RECRUITER_TOKEN' ? 18 : 32).toString('base64url');

export function loadConfig(env: NodeJS.ProcessEnv = process.env, secretSource: SecretSource = ephemeralSecret): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`));
  }
  const e = parsed.data;

  if (e.NODE_ENV === 'production') {
    const missing = (['MONGODB_URI', 'SESSION_SECRET', 'RECRUITER_TOKEN'] as const).filter((name) => !e[name]);
    if (missing.length > 0) {
      throw new ConfigError(missing.map((name) => `${name} is required when NODE_ENV=production`));
    }
    if (e.ELEVENLABS_API_KEY && !e.ELEVENLABS_WEBHOOK_SECRET) {
      throw new ConfigError(['ELEVENLABS_WEBHOOK_SECRET is required when NODE_ENV=production and ELEVENLABS_API_KEY is set']);
    }
    const weak = (['SESSION_SECRET', 'RECRUITER_TOKEN', 'ELEVENLABS_WEBHOOK_SECRET'] as const).flatMap((name) => {
      const value = e[name];
      const why = value === undefined ? undefined : secretWeakness(value);
      return why ? [`${name} is too weak for NODE_ENV=production (${why}); generate one with: openssl rand -base64 32`] : [];
    });
    if (weak.length > 0) throw new ConfigError(weak);
  }
  if (e.WEBHOOK_LEASE_MS < e.WEBHOOK_TIMEOUT_MS + 1_000) {
    throw new ConfigError([`WEBHOOK_LEASE_MS must be at least WEBHOOK_TIMEOUT_MS + 1000 (${e.WEBHOOK_TIMEOUT_MS + 1_000}): a delivery's lease must outlive its attempt`]);
  }
  if (e.ELEVENLABS_API_KEY && !e.ELEVENLABS_AGENT_ID) {
    throw new ConfigError(['ELEVENLABS_AGENT_ID is required when ELEVENLABS_API_KEY is set']);
  }

  const dataDir = path.resolve(e.DATA_DIR);
  const generatedSecrets: GeneratedSecretName[] = [];
  const secret = (name: GeneratedSecretName, configured: string | undefined) => {
    if (configured) return configured;
    generatedSecrets.push(name);
    return secretSource(name, dataDir);
  };
  const sessionSecret = secret('SESSION_SECRET', e.SESSION_SECRET);
  const recruiterToken = secret('RECRUITER_TOKEN', e.RECRUITER_TOKEN);
  // Generated (and persisted by main.ts's source) like SESSION_SECRET, but not listed in
  // generatedSecrets: the simulator signs its own webhooks with it, so it only has to be
  // configured when real ElevenLabs webhooks arrive (enforced above for production).
  const webhookSecret = e.ELEVENLABS_WEBHOOK_SECRET ?? secretSource('ELEVENLABS_WEBHOOK_SECRET', dataDir);

  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    dataDir,
    mongodbUri: e.MONGODB_URI,
    embeddedDb: { port: e.EMBEDDED_DB_PORT, durability: e.EMBEDDED_DB_DURABILITY },
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    logLevel: e.LOG_LEVEL,
    sessionSecret,
    recruiterToken,
    recruiterRecheckMs: e.RECRUITER_RECHECK_MS,
    generatedSecrets,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    trustProxy: e.TRUST_PROXY === 'true',
    nodeName: e.NODE_NAME,
    interview: {
      answerMinIntervalMs: e.ANSWER_MIN_INTERVAL_MS,
      turnLeaseMs: e.TURN_LEASE_MS,
      tokenFrameMs: e.TOKEN_FRAME_MS,
      disconnectGraceMs: e.DISCONNECT_GRACE_MS,
      evaluationLeaseMs: e.EVALUATION_LEASE_MS,
    },
    scripted: { tokenDelayMs: e.SCRIPTED_TOKEN_DELAY_MS },
    voice: {
      elevenLabs:
        e.ELEVENLABS_API_KEY && e.ELEVENLABS_AGENT_ID
          ? { apiKey: e.ELEVENLABS_API_KEY, agentId: e.ELEVENLABS_AGENT_ID, baseUrl: e.ELEVENLABS_BASE_URL }
          : undefined,
      webhookSecret,
      webhookMaxBytes: e.WEBHOOK_MAX_BYTES,
      simulatedWebhookDelayMs: e.SIMULATED_WEBHOOK_DELAY_MS,
      simulatedWebhook: e.SIMULATED_WEBHOOK === 'on',
      reconcileAfterMs: e.RECONCILE_AFTER_MS,
      customLlm: e.VOICE_LLM_KEY ? { key: e.VOICE_LLM_KEY, path: e.VOICE_LLM_PATH } : undefined,
    },
    openai: e.OPENAI_API_KEY ? { apiKey: e.OPENAI_API_KEY, baseURL: e.OPENAI_BASE_URL, model: e.OPENAI_MODEL } : undefined,
    limits: {
      jsonBodyBytes: e.JSON_BODY_LIMIT_BYTES,
      socketMaxMessageBytes: e.SOCKET_MAX_MESSAGE_BYTES,
      socketConnectionsPerIp: e.SOCKET_MAX_CONNECTIONS_PER_IP,
      httpRateLimit: { points: e.HTTP_RATE_LIMIT, windowMs: e.HTTP_RATE_LIMIT_WINDOW_MS },
    },
    corsOrigins: e.CORS_ORIGINS ?? (e.NODE_ENV === 'development' ? DEV_CLIENT_ORIGINS : []),
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    webhooksOut: {
      allowPrivateTargets: e.WEBHOOK_ALLOW_PRIVATE_TARGETS === 'true',
      retryHorizonMs: e.WEBHOOK_RETRY_HORIZON_MS,
      backoffBaseMs: e.WEBHOOK_BACKOFF_BASE_MS,
      backoffMaxMs: e.WEBHOOK_BACKOFF_MAX_MS,
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      leaseMs: e.WEBHOOK_LEASE_MS,
      pollMs: e.WEBHOOK_POLL_MS,
      secretGraceMs: e.WEBHOOK_SECRET_GRACE_MS,
    },
    privacy: { retentionDays: e.RETENTION_DAYS, sweepIntervalMs: e.RETENTION_SWEEP_INTERVAL_MS },
  };
}

const PLACEHOLDER = /(change.?me|changeit|replace.?me|placeholder|example|password|passw0rd|secret123|your[-_]|xxxx|todo|dummy|default)/i;

/**
 * Why a configured secret is too weak for production, or undefined. Catches what
 * people paste under pressure: placeholders, one repeated character or pattern
 * ('aaaa…', 'abcabc…'), long runs of consecutive characters ('abcdef…', '012345…'),
 * and too little estimated entropy (Shannon over the characters used). It cannot
 * prove a value random; it refuses the obviously not random.
 */
export function secretWeakness(value: string): string | undefined {
  if (PLACEHOLDER.test(value)) return 'looks like a placeholder';
  const distinct = new Set(value).size;
  if (distinct < 8) return `only ${distinct} distinct characters`;
  for (let period = 1; period <= value.length / 2; period++) {
    if (value.length % period === 0 && value.slice(0, period).repeat(value.length / period) === value) return 'a repeated pattern';
  }
  let run = 1;
  for (let i = 1; i < value.length; i++) {
    const step = value.charCodeAt(i) - value.charCodeAt(i - 1);
    run = step === 1 || step === -1 ? run + 1 : 1;
    if (run >= 8) return 'a run of consecutive characters';
  }
  const freq = new Map<string, number>();
  for (const ch of value) freq.set(ch, (freq.get(ch) ?? 0) + 1);
  let bitsPerChar = 0;
  for (const n of freq.values()) bitsPerChar -= (n / value.length) * Math.log2(n / value.length);
  const bits = bitsPerChar * value.length;
  if (bits < 48) return `about ${Math.floor(bits)} bits of entropy, want >= 48`;
  return undefined;
}

/**
 * Where the data lives, and nothing else: what `npm run recruiter:add` needs
 * (no secrets, so it works wherever the database is reachable).
 */
export function loadStoreLocation(env: NodeJS.ProcessEnv = process.env): { dataDir: string; mongodbUri: string | undefined } {
  const parsed = envSchema.pick({ DATA_DIR: true, MONGODB_URI: true }).safeParse(env);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`));
  return { dataDir: path.resolve(parsed.data.DATA_DIR), mongodbUri: parsed.data.MONGODB_URI };
}
