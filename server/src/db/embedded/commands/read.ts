import type { Document } from 'bson';
import { Aggregator, ProcessingMode } from 'mingo';
import { cursorIdOf } from '../cursors.js';
import { MongoCommandError } from '../errors.js';
import { aggregateOptions } from '../query.js';
import { isPlainObject, pathValues, valueKey } from '../values.js';
import { collectionArg, docArray, matchDocs, optionalDoc, optionalNumber, shape } from './args.js';
import type { CommandHandler } from './context.js';

export const find: CommandHandler = (cmd, ctx) => {
  const name = collectionArg(cmd, 'find');
  const coll = ctx.store.collection(ctx.db, name);
  const rawLimit = optionalNumber(cmd, 'limit') ?? 0;
  // A negative limit is the legacy spelling of "limit + single batch".
  const limit = Math.abs(rawLimit);
  const singleBatch = cmd.singleBatch === true || rawLimit < 0;
  const filter = optionalDoc(cmd, 'filter') ?? {};
  const docs = shape(matchDocs(coll, filter), {
    filter,
    sort: optionalDoc(cmd, 'sort'),
    skip: optionalNumber(cmd, 'skip'),
    limit,
    projection: optionalDoc(cmd, 'projection'),
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
  const docs = matchDocs(ctx.store.collection(ctx.db, name), optionalDoc(cmd, 'query') ?? {});
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
  for (const doc of matchDocs(ctx.store.collection(ctx.db, name), optionalDoc(cmd, 'query') ?? {})) {
    for (const v of pathValues(doc, key)) {
      if (v === undefined) continue;
      const k = valueKey(v);
      if (!seen.has(k)) seen.set(k, v);
    }
  }
  return { values: [...seen.values()], ok: 1 };
};

/** Pipeline stages that never modify the documents they read (their output is new documents or a subset). */
const READ_ONLY_STAGES = new Set(['$match', '$group', '$count', '$sortByCount', '$sort', '$skip', '$limit']);

const UNSUPPORTED_STAGES = new Set(['$out', '$merge', '$currentOp', '$listSessions', '$changeStream', '$collStats', '$indexStats', '$planCacheStats']);

export const aggregate: CommandHandler = (cmd, ctx) => {
  const target: unknown = cmd.aggregate;
  if (typeof target !== 'string') {
    throw new MongoCommandError('InvalidNamespace', 'aggregate without a collection (aggregate: 1) is not supported by the embedded server');
  }
  const pipeline = docArray(cmd, 'pipeline');
  for (const stage of pipeline) {
    const op = Object.keys(stage)[0] ?? '';
    if (UNSUPPORTED_STAGES.has(op)) throw new MongoCommandError('CommandNotSupported', `${op} is not supported by the embedded server`);
  }
  if (cmd.explain === true) throw new MongoCommandError('CommandNotSupported', 'explain is not supported by the embedded server');
  const cursorOpt = cmd.cursor;
  if (!isPlainObject(cursorOpt)) {
    throw new MongoCommandError('FailedToParse', "The 'cursor' option is required, except for aggregate with the explain argument");
  }
  const coll = ctx.store.collection(ctx.db, target);
  const resolver = (name: string): Document[] => ctx.store.collection(ctx.db, name)?.all() ?? [];
  // A leading $match is a filter like find's: applied first (index-assisted), without copying.
  const first = pipeline[0];
  const leading = first && Object.keys(first).length === 1 && isPlainObject(first.$match) ? (first.$match as Document) : undefined;
  const source = leading ? matchDocs(coll, leading) : (coll?.all() ?? []);
  const stages = leading ? pipeline.slice(1) : pipeline;
  // Stages that only read their input (they build new documents) need no protective deep copy
  // of the stored documents; anything else gets one (mingo's CLONE_INPUT).
  const readOnly = stages.every((stage) => READ_ONLY_STAGES.has(Object.keys(stage)[0] ?? ''));
  const options = readOnly ? { ...aggregateOptions(resolver), processingMode: ProcessingMode.CLONE_OFF } : aggregateOptions(resolver);
  const out = new Aggregator(stages, options).run(source) as Document[];
  return { cursor: ctx.cursors.open(`${ctx.db}.${target}`, out, optionalNumber(cursorOpt, 'batchSize'), false), ok: 1 };
};
