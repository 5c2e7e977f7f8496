/**
 * Standalone embedded MongoDB: `npm run db:embedded -- --port 27017 --dir ./data [--durability fsync|none]`.
 * Prints one line with the URI; SIGINT/SIGTERM close cleanly (exit 0).
 */
import { parseArgs } from 'node:util';
import { EmbeddedMongo } from './index.js';
import type { EmbeddedLogger } from './logger.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '27017' },
    host: { type: 'string', default: '127.0.0.1' },
    dir: { type: 'string', default: './data' },
    durability: { type: 'string', default: 'fsync' },
    verbose: { type: 'boolean', default: false },
  },
  strict: true,
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`invalid --port ${values.port}\n`);
  process.exit(2);
}
if (values.durability !== 'fsync' && values.durability !== 'none') {
  process.stderr.write(`invalid --durability ${values.durability} (fsync|none)\n`);
  process.exit(2);
}

/** Logs go to stderr so stdout carries only the URI line. */
function stderrLogger(verbose: boolean): EmbeddedLogger {
  const write = (level: string) => (msg: string, meta?: Record<string, unknown>) => {
    process.stderr.write(`${new Date().toISOString()} ${level} ${msg}${meta ? ` ${JSON.stringify(meta)}` : ''}\n`);
  };
  const noop = (): void => undefined;
  return { debug: verbose ? write('debug') : noop, info: write('info'), warn: write('warn'), error: write('error') };
}

try {
  const mongo = await EmbeddedMongo.start({ dir: values.dir, host: values.host, port, durability: values.durability, logger: stderrLogger(values.verbose) });
  process.stdout.write(`${mongo.uri()}\n`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`received ${signal}, shutting down\n`);
    mongo.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`shutdown failed: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
} catch (err) {
  process.stderr.write(`embedded mongo failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
