import { Long, type Document } from 'bson';
import { Aggregator, ProcessingMode } from 'mingo';
import { Aggregator as BaseAggregator } from 'mingo/aggregator';
import type { QueryOptions } from '../planner.js';
import { refuseStage } from '../refusals.js';
import type { Collection } from '../store.js';
import { explainCommand } from './explain.js';
import { runPipelineWrite, splitPipelineWrite } from './pipelineWrite.js';
import { writeOptions } from './write.js';
import { cursorIdOf } from '../cursors.js';
import { MongoCommandError } from '../errors.js';
import { aggregateOptions } from '../query.js';
import { isPlainObject, pathValues, valueKey } from '../values.js';
import { collectionArg, docArray, matchDocs, optionalDoc, optionalNumber, queryOptionsOf, shape } from './args.js';
import type { CommandContext, CommandHandler } from './context.js';

export const find: CommandHandler = (cmd, ctx) => {
  const name = collectionArg(cmd, 'find');
  const coll = ctx.store.collection(ctx.db, name);
  const rawLimit = optionalNumber(cmd, 'limit') ?? 0;
  // A negative limit is the legacy spelling of "limit + single batch".
  const limit = Math.abs(rawLimit);
  const singleBatch = cmd.singleBatch === true || rawLimit < 0;
  const filter = optionalDoc(cmd, 'filter') ?? {};
  const sort = optionalDoc(cmd, 'sort');
  const qopts = queryOptionsOf(cmd, coll, sort);
  const docs = shape(matchDocs(coll, filter, qopts), {
    filter,
    sort,
    skip: optionalNumber(cmd, 'skip'),
    limit,
    projection: optionalDoc(cmd, 'projection'),
    collation: qopts.collation,
  });
  const batchSize = optionalNumber(cmd, 'batchSize');
  return { cursor: ctx.cursors.open(`${ctx.db}.${name}`, docs, batchSize, singleBatch), ok: 1 };
};

export const getMore: CommandHandler = (cmd, ctx) => {
  const id = cursorIdOf(cmd.getMore);
  const name = collectionArg(cmd, 'collection');
  return { cursor: ctx.cursors.getMore(id, `${ctx.db}.${name}`, optionalNumber(cmd, 'batchSize')), ok: 1 };
};

export const killCursors: CommandHandler = (cmd, ctx) => {
  collectionArg(cmd, 'killCursors');
  const raw: unknown = cmd.cursors;
  if (!Array.isArray(raw)) throw new MongoCommandError('TypeMismatch', "BSON field 'cursors' is the wrong type, expected type 'array'");
  const { killed, notFound } = ctx.cursors.kill(raw.map(cursorIdOf));
  return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 };
};

export const count: CommandHandler = (cmd, ctx) => {
  const name = collectionArg(cmd, 'count');
  const coll = ctx.store.collection(ctx.db, name);
  const docs = matchDocs(coll, optionalDoc(cmd, 'query') ?? {}, queryOptionsOf(cmd, coll));
  const skip = Math.max(0, optionalNumber(cmd, 'skip') ?? 0);
  const limit = Math.abs(optionalNumber(cmd, 'limit') ?? 0);
  let n = Math.max(0, docs.length - skip);
  if (limit > 0) n = Math.min(n, limit);
  return { n, ok: 1 };
};

export const distinct: CommandHandler = (cmd, ctx) => {
  const name = collectionArg(cmd, 'distinct');
  const key: unknown = cmd.key;
  if (typeof key !== 'string') throw new MongoCommandError('TypeMismatch', "BSON field 'key' is the wrong type, expected type 'string'");
  const seen = new Map<string, unknown>();
  const coll = ctx.store.collection(ctx.db, name);
  const qopts = queryOptionsOf(cmd, coll);
  // Under a collation, values it considers equal are one distinct value (the first seen).
  const fold = qopts.collation?.fold;
  for (const doc of matchDocs(coll, optionalDoc(cmd, 'query') ?? {}, qopts)) {
    for (const v of pathValues(doc, key)) {
      if (v === undefined) continue;
      const k = fold && typeof v === 'string' ? valueKey(fold(v)) : valueKey(v);
      if (!seen.has(k)) seen.set(k, v);
    }
  }
  return { values: [...seen.values()], ok: 1 };
};

/** Pipeline stages that never modify the documents they read (their output is new documents or a subset). */
const READ_ONLY_STAGES = new Set(['$match', '$group', '$count', '$sortByCount', '$sort', '$skip', '$limit']);

/** Stages that may start a collection-less `{aggregate: 1}` pipeline here. */
const DB_LEVEL_FIRST_STAGES = new Set(['$documents']);

export const aggregate: CommandHandler = (cmd, ctx) => {
  const target: unknown = cmd.aggregate;
  const dbLevel = target === 1;
  if (typeof target !== 'string' && !dbLevel) {
    throw new MongoCommandError('InvalidNamespace', `collection name has invalid type ${typeof target}`);
  }
  const pipeline = docArray(cmd, 'pipeline');
  for (const stage of pipeline) refuseStage(stage);
  const firstName = Object.keys(pipeline[0] ?? {})[0] ?? '';
  if (dbLevel && !DB_LEVEL_FIRST_STAGES.has(firstName)) {
    throw new MongoCommandError('InvalidNamespace', `{aggregate: 1} is not valid for '${firstName || 'an empty pipeline'}'; a collection is required.`);
  }
  if (!dbLevel && firstName === '$documents') {
    throw new MongoCommandError('InvalidNamespace', '$documents is only valid as the first stage in a pipeline with {aggregate: 1}');
  }
  if (cmd.explain === true) {
    const { explain: _explain, ...inner } = cmd;
    return explainCommand({ explain: inner, verbosity: 'queryPlanner' }, ctx);
  }
  const cursorOpt = cmd.cursor;
  if (!isPlainObject(cursorOpt)) {
    throw new MongoCommandError('FailedToParse', "The 'cursor' option is required, except for aggregate with the explain argument");
  }
  const { stages: body, write } = splitPipelineWrite(pipeline, ctx.db);
  const coll = dbLevel ? undefined : ctx.store.collection(ctx.db, target as string);
  const out = runPipeline(ctx, coll, body, queryOptionsOf(cmd, coll), dbLevel);
  const ns = `${ctx.db}.${dbLevel ? '$cmd.aggregate' : (target as string)}`;
  if (write) {
    runPipelineWrite(ctx.store, write, out, writeOptions(cmd));
    return { cursor: { id: Long.ZERO, ns, firstBatch: [] }, ok: 1 };
  }
  return { cursor: ctx.cursors.open(ns, out, optionalNumber(cursorOpt, 'batchSize'), false), ok: 1 };
};

/** Runs a pipeline (without its $out/$merge) on a collection, or on nothing for `{aggregate: 1}`. */
export function runPipeline(ctx: CommandContext, coll: Collection | undefined, pipeline: Document[], qopts: QueryOptions, dbLevel = false): Document[] {
  const resolver = (name: string): Document[] => ctx.store.collection(ctx.db, name)?.all() ?? [];
  // A leading $match is a filter like find's: applied first (index-assisted), without copying.
  const first = pipeline[0];
  const leading = !dbLevel && first && Object.keys(first).length === 1 && isPlainObject(first.$match) ? (first.$match as Document) : undefined;
  const source = dbLevel ? [] : leading ? matchDocs(coll, leading, qopts) : (coll?.all() ?? []);
  const stages = leading ? pipeline.slice(1) : pipeline;
  // Stages that only read their input (they build new documents) need no protective deep copy
  // of the stored documents; anything else gets one (mingo's CLONE_INPUT).
  const readOnly = stages.every((stage) => READ_ONLY_STAGES.has(Object.keys(stage)[0] ?? ''));
  const options = readOnly ? { ...aggregateOptions(resolver), processingMode: ProcessingMode.CLONE_OFF } : aggregateOptions(resolver);
  if (qopts.collation) {
    // mingo's default operators take precedence over a context passed to `Aggregator`, so a
    // collated pipeline runs on the base class with the collation's own full context.
    return new BaseAggregator(stages, { ...options, collation: qopts.collation.mingo, context: qopts.collation.context }).run(source) as Document[];
  }
  return new Aggregator(stages, options).run(source) as Document[];
}
