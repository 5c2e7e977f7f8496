import type { Document } from 'bson';
import { ProcessingMode, Query } from 'mingo';
import { Context } from 'mingo/core';
import * as queryOperators from 'mingo/operators/query';
import { Query as BareQuery } from 'mingo/query';
import type { Options } from 'mingo/types';
import { compileJsonSchema } from './jsonSchema.js';
import { refusedOperator } from './refusals.js';

/**
 * Options shared by every mingo call. Values are compared by mingo's own type-aware
 * comparison; bson classes (ObjectId, Decimal128) compare through their toString/equality.
 */
export const queryOptions: Partial<Options> = {
  idKey: '_id',
  useStrictMode: true,
  scriptEnabled: false,
  // `$jsonSchema` in filters and validators: MongoDB's dialect (jsonSchema.ts).
  jsonSchemaValidator: (schema) => {
    const compiled = compileJsonSchema(schema);
    return (doc) => compiled.test(doc);
  },
};

/** Aggregation clones its input so pipeline stages can never mutate stored documents. */
export function aggregateOptions(resolver: (name: string) => Document[]): Partial<Options> {
  return {
    ...queryOptions,
    processingMode: ProcessingMode.CLONE_INPUT,
    collectionResolver: resolver,
  };
}

/**
 * Query operators only. mingo copies every operator table of a query's context into each new
 * Query (hundreds of entries with the full context); a filter that uses no expression
 * (`$expr`, `$where`, `$function`, `$jsonSchema`) only needs these.
 */
const leanOptions: Partial<Options> = { ...queryOptions, context: Context.init({ query: queryOperators }) };

const NEEDS_FULL_CONTEXT = new Set(['$expr', '$function', '$jsonSchema']);

/** One walk over the filter: refuses the operators the server does not support, tells whether the full context is needed. */
function needsFullContext(v: unknown): boolean {
  if (Array.isArray(v)) {
    let full = false;
    for (const x of v) full = needsFullContext(x) || full;
    return full;
  }
  if (v === null || typeof v !== 'object' || Object.getPrototypeOf(v) !== Object.prototype) return false;
  let full = false;
  for (const [k, x] of Object.entries(v as Document)) {
    const refused = k.startsWith('$') ? refusedOperator(k) : undefined;
    if (refused) throw refused();
    full = NEEDS_FULL_CONTEXT.has(k) || needsFullContext(x) || full;
  }
  return full;
}

/** A compiled filter (MongoDB query semantics, by mingo). */
export interface Filter {
  test(doc: Document): boolean;
}

/** `collation` (collation.ts) makes string comparisons follow it; none is binary comparison. */
export function compileFilter(filter: Document, collation?: { context: Options['context'] }): Filter {
  const full = needsFullContext(filter);
  if (collation) return new BareQuery(filter, { ...queryOptions, context: collation.context });
  return full ? new Query(filter, queryOptions) : new BareQuery(filter, leanOptions);
}
