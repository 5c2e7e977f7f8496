import { Writable } from 'node:stream';
import winston from 'winston';
import { createLogger, type Logger } from '../../src/observability/logger.js';

/** A real winston logger whose JSON lines are kept in memory for assertions. */
export function captureLogs(level = 'silly'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  const logger = createLogger({ level, transports: [new winston.transports.Stream({ stream })] });
  return { logger, lines };
}
