/**
 * Options every Candor schema shares.
 * - strict 'throw': a field written but not declared is an error, not silent data loss.
 * - strictQuery 'throw': a filter on an undeclared path is a bug, not an empty result.
 * - versionKey off: nothing uses doc.save(), so `__v` would only be a field zod does not know.
 * - minimize off: an empty object (e.g. a fresh plan, a webhook's empty dynamic_variables) is kept as written.
 */
export const STRICT_SCHEMA_OPTIONS = {
  strict: 'throw',
  strictQuery: 'throw',
  versionKey: false,
  minimize: false,
} as const;
