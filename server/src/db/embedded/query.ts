import type { Document } from 'bson';
import { ProcessingMode } from 'mingo';
import { Context } from 'mingo/core';
import * as accumulatorOperators from 'mingo/operators/accumulator';
import * as expressionOperators from 'mingo/operators/expression';
import * as queryOperators from 'mingo/operators/query';
import { Query as BareQuery } from 'mingo/query';
import type { Options } from 'mingo/types';
import { compileJsonSchema } from './jsonSchema.js';
import { queryOperatorOverrides } from './queryops.js';
import { refusedOperator } from './refusals.js';

/**
 * Options shared by every mingo call. Leaf query operators are the server's own (queryops.ts:
 * BSON order and equality across number widths); bson classes compare through them.
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

type QueryOps = NonNullable<Parameters<typeof Context.init>[0]>['query'];

/** mingo's query operators, with the ones that differ from MongoDB replaced (queryops.ts). */
const QUERY_OPERATORS = { ...queryOperators, ...queryOperatorOverrides } as unknown as QueryOps;

/** The one operand that makes a compilation hand out mingo's prepared options (no query can hold a symbol). */
const CAPTURE = Symbol('capture');
let captured: Options | undefined;

function capture(_selector: string, value: unknown, options: Options): () => boolean {
  if (value !== CAPTURE) throw new Error('unknown query operator $__embeddedComputeOptions');
  captured = options;
  return () => true;
}

const filterContext = Context.init({
  query: { ...QUERY_OPERATORS, $__embeddedComputeOptions: capture } as unknown as QueryOps,
  expression: expressionOperators,
  accumulator: accumulatorOperators,
});

/**
 * mingo copies every operator table of a plain options object into each new Query (hundreds of
 * entries); options it prepared itself are reused as they are. So they are prepared once.
 */
let filterOptions: Options | undefined;

function preparedFilterOptions(): Options {
  if (!filterOptions) {
    new BareQuery({ _: { $__embeddedComputeOptions: CAPTURE } }, { ...queryOptions, context: filterContext });
    filterOptions = captured as Options;
  }
  return filterOptions;
}

/** One walk over the filter: refuses the operators the server does not support (refusals.ts). */
function refuseUnsupported(v: unknown): void {
  if (Array.isArray(v)) {
    for (const x of v) refuseUnsupported(x);
    return;
  }
  if (v === null || typeof v !== 'object' || Object.getPrototypeOf(v) !== Object.prototype) return;
  for (const [k, x] of Object.entries(v as Document)) {
    const refused = k.startsWith('$') ? refusedOperator(k) : undefined;
    if (refused) throw refused();
    refuseUnsupported(x);
  }
}

/** A compiled filter (MongoDB query semantics: queryops.ts, parsed by mingo). */
export interface Filter {
  test(doc: Document): boolean;
}

/** `collation` (collation.ts) makes string comparisons follow it; none is binary comparison. */
export function compileFilter(filter: Document, collation?: { context: Options['context'] }): Filter {
  refuseUnsupported(filter);
  if (collation) return new BareQuery(filter, { ...queryOptions, context: collation.context });
  return new BareQuery(filter, preparedFilterOptions());
}
