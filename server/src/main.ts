import { ConfigError, loadConfig, type Config } from './config.js';
import { startCandor } from './candor.js';
import { persistedSecretSource } from './generatedSecrets.js';
import { createLogger } from './observability/logger.js';
import { startupBanner } from './startupBanner.js';

/** Composition root: config -> logger -> store -> http; process signals and exit codes live here only. */
async function main(): Promise<void> {
  let config: Config;
  const created: string[] = [];
  try {
    config = loadConfig(process.env, persistedSecretSource((name, file) => created.push(`${name} (${file})`)));
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`candor: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }

  const logger = createLogger({ level: config.logLevel });
  if (config.generatedSecrets.length > 0) {
    // Said once, on the terminal and not in the log stream: the dev needs the
    // recruiter token to open the dashboard; production refuses to get here.
    logger.warn('running with generated secrets; set SESSION_SECRET and RECRUITER_TOKEN for real deployments', {
      generated: config.generatedSecrets,
    });
    if (created.length > 0) process.stdout.write(`candor: generated ${created.join(', ')}\n`);
  }

  // Signals are handled from the first moment: a SIGTERM during start-up waits
  // for the start to finish (or fail) and then closes cleanly.
  const starting = startCandor(config, logger);
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    const timer = setTimeout(() => {
      logger.error('shutdown timed out; exiting', { timeoutMs: config.shutdownTimeoutMs });
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    starting
      .then((candor) => candor.close())
      .then(
        () => {
          logger.info('shutdown complete');
          // Console writes to pipes and files are synchronous on Linux, so nothing is lost by exiting now.
          process.exit(0);
        },
        (err: unknown) => {
          logger.error('shutdown failed', { err });
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  const candor = await starting;
  logger.info('candor listening', { url: candor.url, embeddedDb: !config.mongodbUri, redis: Boolean(config.redisUrl) });
  // One human-readable block (URLs, token location, modes); its first line is `candor: listening on <url>`.
  process.stdout.write(startupBanner(config, candor));
}

main().catch((err: unknown) => {
  process.stderr.write(`candor: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
