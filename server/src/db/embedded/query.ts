import type { Document } from 'bson';
import { ProcessingMode } from 'mingo';
import type { Options } from 'mingo/types';

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
