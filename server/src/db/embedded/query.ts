import type { Document } from 'bson';
import { ProcessingMode } from 'mingo';
import { Context } from 'mingo/core';
import * as accumulatorOperators from 'mingo/operators/accumulator';
import * as expressionOperators from 'mingo/operators/expression';
import * as queryOperators from 'mingo/operators/query';
import { Query as BareQuery } from 'mingo/query';
import type { Options } from 'mingo/types';
import { queryOperatorOverrides } from './queryops.js';

/**
 * Options shared by every mingo call. Values are compared by mingo's own type-aware
 * comparison; bson classes (ObjectId, Decimal128) compare through their toString/equality.
 */
export const queryOptions: Partial<Options> = {
  idKey: '_id',
  useStrictMode: true,
  scriptEnabled: false,
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

/** A compiled filter (MongoDB query semantics, by mingo). */
export interface Filter {
  test(doc: Document): boolean;
}

export function compileFilter(filter: Document): Filter {
  return new BareQuery(filter, preparedFilterOptions());
}
