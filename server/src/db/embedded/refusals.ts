import type { Document } from 'bson';
import { MongoCommandError, type ErrorCodeName } from './errors.js';
import { isPlainObject } from './values.js';

/**
 * Features the embedded server refuses on purpose. Each answers with the code MongoDB itself
 * returns where it lacks the capability (no text or geo index, no script engine, a standalone
 * without change streams or transactions), and a message that says why and what to do.
 */
export const USE_REAL_MONGODB = 'set MONGODB_URI to use a real MongoDB';

function refusal(codeName: ErrorCodeName, mongoMessage: string, why: string): MongoCommandError {
  return new MongoCommandError(codeName, `${mongoMessage}: the embedded MongoDB server ${why}; ${USE_REAL_MONGODB}`);
}

/** Query operators refused wherever a filter is read (find, count, update, delete, $match...). */
const REFUSED_QUERY_OPERATORS: Record<string, () => MongoCommandError> = {
  $where: () => refusal('BadValue', 'no globalScriptEngine in $where parsing', 'runs no JavaScript ($where)'),
  $text: () => refusal('IndexNotFound', 'text index required for $text query', 'has no text indexes ($text)'),
  $near: () => refusal('NoQueryExecutionPlans', 'unable to find index for $geoNear query', 'has no geospatial indexes ($near)'),
  $nearSphere: () => refusal('NoQueryExecutionPlans', 'unable to find index for $geoNear query', 'has no geospatial indexes ($nearSphere)'),
  $geoWithin: () => refusal('QueryFeatureNotAllowed', '$geoWithin is not allowed', 'does not evaluate geospatial queries ($geoWithin)'),
  $geoIntersects: () => refusal('QueryFeatureNotAllowed', '$geoIntersects is not allowed', 'does not evaluate geospatial queries ($geoIntersects)'),
  $within: () => refusal('QueryFeatureNotAllowed', '$within is not allowed', 'does not evaluate geospatial queries ($within)'),
};

/** The refusal of query operator `name` (own keys only: a field may be called 'constructor'). */
export function refusedOperator(name: string): (() => MongoCommandError) | undefined {
  return Object.hasOwn(REFUSED_QUERY_OPERATORS, name) ? REFUSED_QUERY_OPERATORS[name] : undefined;
}

/** Aggregation stages refused anywhere in a pipeline. */
const REFUSED_STAGES: Record<string, () => MongoCommandError> = {
  $changeStream: () => refusal('Location40573', 'The $changeStream stage is only supported on replica sets', 'runs as a standalone without change streams (watch, $changeStream)'),
  $geoNear: () => refusal('IndexNotFound', '$geoNear requires a 2d or 2dsphere index, but none were found', 'has no geospatial indexes ($geoNear)'),
  $search: () => refusal('Location40324', "Unrecognized pipeline stage name: '$search'", 'has no Atlas Search ($search)'),
  $searchMeta: () => refusal('Location40324', "Unrecognized pipeline stage name: '$searchMeta'", 'has no Atlas Search ($searchMeta)'),
  $vectorSearch: () => refusal('Location40324', "Unrecognized pipeline stage name: '$vectorSearch'", 'has no Atlas Vector Search ($vectorSearch)'),
  $currentOp: () => refusal('CommandNotSupported', '$currentOp is not supported', 'keeps no operation table ($currentOp)'),
  $listSessions: () => refusal('CommandNotSupported', '$listSessions is not supported', 'keeps no session collection ($listSessions)'),
  $listLocalSessions: () => refusal('CommandNotSupported', '$listLocalSessions is not supported', 'keeps no sessions ($listLocalSessions)'),
  $collStats: () => refusal('CommandNotSupported', '$collStats is not supported', 'keeps no storage statistics ($collStats; the collStats command answers minimal values)'),
  $indexStats: () => refusal('CommandNotSupported', '$indexStats is not supported', 'keeps no index usage statistics ($indexStats)'),
  $planCacheStats: () => refusal('CommandNotSupported', '$planCacheStats is not supported', 'has no plan cache ($planCacheStats)'),
};

/** Throws MongoDB's error for a refused stage; checks `$match`/`$lookup` filters for refused operators. */
export function refuseStage(stage: Document): void {
  const name = Object.keys(stage)[0] ?? '';
  const refused = Object.hasOwn(REFUSED_STAGES, name) ? REFUSED_STAGES[name] : undefined;
  if (refused) throw refused();
  if (name === '$match') refuseOperators(stage.$match);
  if (name === '$facet' && isPlainObject(stage.$facet)) {
    for (const sub of Object.values(stage.$facet)) if (Array.isArray(sub)) for (const s of sub) if (isPlainObject(s)) refuseStage(s);
  }
  if ((name === '$lookup' || name === '$unionWith') && isPlainObject(stage[name])) {
    const pipeline: unknown = (stage[name] as Document).pipeline;
    if (Array.isArray(pipeline)) for (const s of pipeline) if (isPlainObject(s)) refuseStage(s);
  }
}

/** Throws for the first refused query operator anywhere in a filter. */
export function refuseOperators(v: unknown): void {
  if (Array.isArray(v)) {
    for (const x of v) refuseOperators(x);
    return;
  }
  if (!isPlainObject(v)) return;
  for (const [k, x] of Object.entries(v)) {
    const refused = refusedOperator(k);
    if (refused) throw refused();
    refuseOperators(x);
  }
}

/** A multi-document transaction or a retryable write's txnNumber (MongoDB's standalone answer). */
export function transactionsRefused(): MongoCommandError {
  return refusal('IllegalOperation', 'Transaction numbers are only allowed on a replica set member or mongos', 'runs as a standalone without multi-document transactions');
}
