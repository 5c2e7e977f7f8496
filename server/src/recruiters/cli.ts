/**
 * `npm run recruiter:add -- --name "Ada Lovelace" [--role admin|recruiter]`
 * (built: `node dist/server/src/recruiters/cli.js ...`).
 *
 * Adds a named recruiter to the configured database and prints its token on
 * stdout — once; only its hash is stored. Where the data is:
 * - MONGODB_URI set: that database.
 * - else the embedded database under DATA_DIR (default ./data):
 *   - a running Candor (`npm start`) owns it: the command connects to that
 *     server's embedded database (address recorded in DATA_DIR/db/embedded.lock),
 *     so the token works at once, without a restart;
 *   - nobody runs: the command opens the data directory itself for the moment
 *     of the write (exclusive lock, fsync journal) and closes it again.
 * Exit codes: 0 added, 1 failed, 2 bad arguments or configuration.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import winston from 'winston';
import { recruiterRoleSchema } from '../../../shared/recruiters.js';
import { ConfigError, loadStoreLocation } from '../config.js';
import { closeMongoose, connectMongoose } from '../db/connection.js';
import { EmbeddedMongo } from '../db/embedded/index.js';
import { readDataDirOwner } from '../db/embedded/lock.js';
import { createRepository } from '../db/repository/index.js';
import { createLogger } from '../observability/logger.js';
import { RecruiterAdmin } from './admin.js';

const say = (line: string) => process.stderr.write(`${line}\n`);

function usage(problem: string): never {
  say(`recruiter:add: ${problem}`);
  say('usage: npm run recruiter:add -- --name "Ada Lovelace" [--role admin|recruiter]');
  process.exit(2);
}

interface OpenStore {
  uri: string;
  where: string;
  close(): Promise<void>;
}

/** The configured database: MONGODB_URI, the running server's embedded one, or the data directory opened here. */
async function openStore(location: { dataDir: string; mongodbUri: string | undefined }): Promise<OpenStore> {
  if (location.mongodbUri) return { uri: location.mongodbUri, where: 'MONGODB_URI', close: async () => undefined };
  const dir = path.join(location.dataDir, 'db');
  const owner = await readDataDirOwner(dir);
  if (owner?.address) {
    const { host, port } = owner.address;
    return { uri: `mongodb://${host}:${port}/candor`, where: `the embedded database of the running server (pid ${owner.pid}) in ${dir}`, close: async () => undefined };
  }
  if (owner) {
    throw new Error(`${dir} is held by process ${owner.pid}, which has not opened it for connections yet (still starting?); retry in a moment`);
  }
  const embedded = await EmbeddedMongo.start({ dir, port: 0, durability: 'fsync' });
  return { uri: embedded.uri('candor'), where: `the embedded database in ${dir} (no server running)`, close: () => embedded.close() };
}

async function main(): Promise<void> {
  let values: { name?: string | undefined; role?: string | undefined };
  try {
    ({ values } = parseArgs({ options: { name: { type: 'string' }, role: { type: 'string', default: 'recruiter' } }, strict: true }));
  } catch (err) {
    usage(err instanceof Error ? err.message : String(err));
  }
  if (values.name === undefined) usage('--name is required');
  const role = recruiterRoleSchema.safeParse(values.role);
  if (!role.success) usage(`--role must be admin or recruiter, not "${values.role}"`);

  let location: { dataDir: string; mongodbUri: string | undefined };
  try {
    location = loadStoreLocation();
  } catch (err) {
    if (err instanceof ConfigError) usage(err.message);
    throw err;
  }

  const store = await openStore(location);
  try {
    const conn = await connectMongoose(store.uri);
    try {
      const repo = await createRepository(conn);
      // Logs (ids only) go to stderr: stdout carries nothing but the token.
      const logger = createLogger({ level: 'warn', transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] })] });
      const admin = new RecruiterAdmin({ repo, logger });
      const { recruiter, token } = await admin.create(null, { name: values.name, role: role.data });
      process.stdout.write(`${token}\n`);
      say(`recruiter:add: added recruiter ${recruiter.id} (${recruiter.role}) to ${store.where}.`);
      say('recruiter:add: the token above is shown this once and stored only as a hash; sign in to /recruiter with it.');
    } finally {
      await closeMongoose(conn);
    }
  } finally {
    await store.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    say(`recruiter:add: failed: ${message}`);
    process.exit((err as { code?: unknown }).code === 'VALIDATION' ? 2 : 1);
  },
);
