/** Minimal logging port; a winston Logger satisfies it. */
export interface EmbeddedLogger {
  debug(msg: string, meta?: Record<string, unknown>): void;
  info(msg: string, meta?: Record<string, unknown>): void;
  warn(msg: string, meta?: Record<string, unknown>): void;
  error(msg: string, meta?: Record<string, unknown>): void;
  /** winston's: lets a hot path skip building entries nobody records (the per-command debug line). */
  isLevelEnabled?(level: string): boolean;
}

const noop = (): void => undefined;
export const silentLogger: EmbeddedLogger = { debug: noop, info: noop, warn: noop, error: noop, isLevelEnabled: () => false };
