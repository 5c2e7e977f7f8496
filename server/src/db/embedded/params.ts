import { MongoCommandError } from './errors.js';

/** Server parameters the embedded server honours (`setParameter` / `getParameter`). Not persisted, as in MongoDB. */
export interface ParameterValues {
  /** Seconds between two passes of the TTL monitor (MongoDB's default: 60). */
  ttlMonitorSleepSecs: number;
  /** false pauses the TTL monitor. */
  ttlMonitorEnabled: boolean;
}

type Parser<T> = (v: unknown) => T;

const positiveInt: Parser<number> = (v) => {
  const n = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isInteger(n) || n < 1) throw new MongoCommandError('BadValue', `Invalid value for parameter ttlMonitorSleepSecs: ${String(v)} is not greater than 0`);
  return n;
};

const bool: Parser<boolean> = (v) => {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 1) return true;
  if (v === 'false' || v === 0) return false;
  throw new MongoCommandError('BadValue', `Invalid value for parameter: ${String(v)} is not a boolean`);
};

const PARSERS: { [K in keyof ParameterValues]: Parser<ParameterValues[K]> } = {
  ttlMonitorSleepSecs: positiveInt,
  ttlMonitorEnabled: bool,
};

export class ServerParameters {
  private readonly values: ParameterValues = { ttlMonitorSleepSecs: 60, ttlMonitorEnabled: true };
  private readonly listeners = new Set<(name: keyof ParameterValues) => void>();

  get<K extends keyof ParameterValues>(name: K): ParameterValues[K] {
    return this.values[name];
  }

  has(name: string): name is keyof ParameterValues {
    return Object.hasOwn(PARSERS, name);
  }

  all(): ParameterValues {
    return { ...this.values };
  }

  /** Sets a parameter from a command value; returns the previous value. */
  set(name: keyof ParameterValues, raw: unknown): unknown {
    const was = this.values[name];
    const parser = PARSERS[name] as Parser<unknown>;
    (this.values as unknown as Record<string, unknown>)[name] = parser(raw);
    for (const l of this.listeners) l(name);
    return was;
  }

  onChange(listener: (name: keyof ParameterValues) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
