/** Minimal logging port; a winston Logger satisfies it. */
export interface EmbeddedLogger {
  debug(msg: string, meta?: Record<string, unknown>): void;
  info(msg: string, meta?: Record<string, unknown>): void;
  warn(msg: string, meta?: Record<string, unknown>): void;
  error(msg: string, meta?: Record<string, unknown>): void;
}

const noop = (): void => undefined;
export const silentLogger: EmbeddedLogger = { debug: noop, info: noop, warn: noop, error: noop };
