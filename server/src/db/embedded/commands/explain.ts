import { createHash } from 'node:crypto';
import type { Document } from 'bson';
import { MongoCommandError } from '../errors.js';
import { indexBounds, planQuery, runPlan, type Plan, type QueryOptions } from '../planner.js';
import { compileFilter } from '../query.js';
import type { Collection } from '../store.js';
import { isPlainObject } from '../values.js';
import { docArray, optionalDoc, optionalNumber, queryOptionsOf, sortSpec } from './args.js';
import type { CommandContext, CommandHandler } from './context.js';

const VERBOSITIES = new Set(['queryPlanner', 'executionStats', 'allPlansExecution']);

/** The query shape one explained command reads. */
interface Explained {
  coll: Collection | undefined;
  ns: string;
  filter: Document;
  opts: QueryOptions;
  sort?: Document | undefined;
  skip?: number | undefined;
  limit?: number | undefined;
  projection?: Document | undefined;
  /** The stage MongoDB puts on top (COUNT, UPDATE, DELETE...). */
  root?: string;
  /** Remaining aggregation stages, shown after `$cursor`. */
  pipelineRest?: Document[];
}

function target(inner: Document, name: string, ctx: CommandContext): { coll: Collection | undefined; ns: string } {
  const collName: unknown = inner[name];
  if (typeof collName !== 'string') throw new MongoCommandError('InvalidNamespace', `collection name has invalid type ${typeof collName}`);
  return { coll: ctx.store.collection(ctx.db, collName), ns: `${ctx.db}.${collName}` };
}

function describe(inner: Document, ctx: CommandContext): Explained {
  const name = Object.keys(inner)[0] ?? '';
  switch (name) {
    case 'find': {
      const { coll, ns } = target(inner, name, ctx);
      const sort = optionalDoc(inner, 'sort');
      return { coll, ns, filter: optionalDoc(inner, 'filter') ?? {}, opts: queryOptionsOf(inner, coll, sort), sort, skip: optionalNumber(inner, 'skip'), limit: optionalNumber(inner, 'limit'), projection: optionalDoc(inner, 'projection') };
    }
    case 'count': {
      const { coll, ns } = target(inner, name, ctx);
      return { coll, ns, filter: optionalDoc(inner, 'query') ?? {}, opts: queryOptionsOf(inner, coll), root: 'COUNT' };
    }
    case 'distinct': {
      const { coll, ns } = target(inner, name, ctx);
      return { coll, ns, filter: optionalDoc(inner, 'query') ?? {}, opts: queryOptionsOf(inner, coll), projection: { _id: 0, [String(inner.key)]: 1 } };
    }
    case 'findAndModify':
    case 'findandmodify': {
      const { coll, ns } = target(inner, name, ctx);
      const sort = optionalDoc(inner, 'sort');
      return { coll, ns, filter: optionalDoc(inner, 'query') ?? {}, opts: queryOptionsOf(inner, coll, sort), sort, limit: 1, root: inner.remove === true ? 'DELETE' : 'UPDATE' };
    }
    case 'update':
    case 'delete': {
      const { coll, ns } = target(inner, name, ctx);
      const stmts = docArray(inner, name === 'update' ? 'updates' : 'deletes');
      const stmt = stmts[0];
      if (!stmt || stmts.length !== 1) throw new MongoCommandError('BadValue', `explained ${name} must have exactly one statement`);
      const filter = isPlainObject(stmt.q) ? stmt.q : {};
      return { coll, ns, filter, opts: queryOptionsOf(stmt, coll), root: name === 'update' ? 'UPDATE' : 'DELETE' };
    }
    case 'aggregate': {
      const pipeline = docArray(inner, 'pipeline');
      if (inner.aggregate === 1) return { coll: undefined, ns: `${ctx.db}.$cmd.aggregate`, filter: {}, opts: {}, pipelineRest: pipeline };
      const { coll, ns } = target(inner, name, ctx);
      const first = pipeline[0];
      const leading = first && Object.keys(first).length === 1 && isPlainObject(first.$match) ? (first.$match as Document) : undefined;
      return { coll, ns, filter: leading ?? {}, opts: queryOptionsOf(inner, coll), pipelineRest: leading ? pipeline.slice(1) : pipeline };
    }
    default:
      throw new MongoCommandError('CommandNotFound', `Explain failed due to unknown command: ${name}`);
  }
}

/** MongoDB's parsed form of a filter: top-level equalities become `$eq`. */
function parsedQuery(filter: Document): Document {
  const out: Document = {};
  for (const [k, v] of Object.entries(filter)) {
    out[k] = k.startsWith('$') || (isPlainObject(v) && Object.keys(v).some((x) => x.startsWith('$'))) || v instanceof RegExp ? v : { $eq: v };
  }
  return out;
}

function accessStage(plan: Plan, filter: Document): Document {
  if (plan.stage === 'EOF') return { stage: 'EOF' };
  if (plan.stage === 'IDHACK') return { stage: 'IDHACK' };
  if (plan.stage === 'COLLSCAN') return { stage: 'COLLSCAN', ...(Object.keys(filter).length > 0 ? { filter: parsedQuery(filter) } : {}), direction: plan.direction };
  const spec = plan.index as NonNullable<Plan['index']>;
  const ixscan: Document = {
    stage: 'IXSCAN',
    keyPattern: spec.key,
    indexName: spec.name,
    ...(spec.collation ? { collation: spec.collation } : {}),
    isMultiKey: false,
    multiKeyPaths: Object.fromEntries(Object.keys(spec.key).map((k) => [k, []])),
    isUnique: spec.unique === true || spec.name === '_id_',
    isSparse: spec.sparse === true,
    isPartial: spec.partialFilterExpression !== undefined,
    indexVersion: 2,
    direction: plan.direction,
    indexBounds: indexBounds(spec, filter),
  };
  // The whole filter is re-checked on each fetched document (a superset of MongoDB's residual filter).
  return { stage: 'FETCH', ...(Object.keys(filter).length > 0 ? { filter: parsedQuery(filter) } : {}), inputStage: ixscan };
}

function winningPlan(e: Explained, plan: Plan): Document {
  let stage = accessStage(plan, e.filter);
  const sort = sortSpec(e.sort);
  const limit = e.limit ? Math.abs(e.limit) : 0;
  if (sort && !plan.providesSort) stage = { stage: 'SORT', sortPattern: sort, memLimit: 104857600, ...(limit ? { limitAmount: limit } : {}), type: 'simple', inputStage: stage };
  if (e.skip) stage = { stage: 'SKIP', skipAmount: e.skip, inputStage: stage };
  if (limit && (!sort || plan.providesSort)) stage = { stage: 'LIMIT', limitAmount: limit, inputStage: stage };
  if (e.projection && Object.keys(e.projection).length > 0) stage = { stage: 'PROJECTION_DEFAULT', transformBy: e.projection, inputStage: stage };
  if (e.root) stage = { stage: e.root, inputStage: stage };
  return stage;
}

function hash(v: unknown): string {
  return createHash('sha1').update(JSON.stringify(v) ?? '').digest('hex').slice(0, 8).toUpperCase();
}

/**
 * `explain` of find, count, distinct, aggregate, update, delete and findAndModify: the
 * queryPlanner section names the plan planner.ts chooses (IDHACK, IXSCAN of the index, or
 * COLLSCAN); executionStats runs the read (writes are not applied, as in MongoDB).
 */
export const explainCommand: CommandHandler = (cmd, ctx) => {
  const inner: unknown = cmd.explain;
  if (!isPlainObject(inner)) throw new MongoCommandError('FailedToParse', 'explain command requires a nested object');
  const verbosity = cmd.verbosity === undefined ? 'allPlansExecution' : cmd.verbosity;
  if (typeof verbosity !== 'string' || !VERBOSITIES.has(verbosity)) {
    throw new MongoCommandError('BadValue', `Enumeration value '${String(verbosity)}' for field 'verbosity' is not a valid value.`);
  }
  const started = performance.now();
  const e = describe(inner, ctx);
  compileFilter(e.filter, e.opts.collation); // refuses what the command itself would refuse
  const plan = planQuery(e.coll, e.filter, e.opts);
  const winning = winningPlan(e, plan);
  const queryPlanner: Document = {
    namespace: e.ns,
    indexFilterSet: false,
    parsedQuery: parsedQuery(e.filter),
    ...(e.opts.collation ? { collation: e.opts.collation.spec } : {}),
    queryHash: hash(e.filter),
    planCacheKey: hash([e.ns, e.filter, e.sort]),
    maxIndexedOrSolutionsReached: false,
    maxIndexedAndSolutionsReached: false,
    maxScansToExplodeReached: false,
    winningPlan: winning,
    rejectedPlans: [],
  };
  const reply: Document = { explainVersion: '1' };
  const cursorStage: Document = { queryPlanner };
  if (verbosity !== 'queryPlanner') {
    const run = runPlan(e.coll, e.filter, plan, e.opts.collation);
    const skipped = run.docs.slice(e.skip ?? 0);
    const limit = e.limit ? Math.abs(e.limit) : 0;
    const nReturned = e.root === 'COUNT' ? 0 : limit ? Math.min(limit, skipped.length) : skipped.length;
    cursorStage.executionStats = {
      executionSuccess: true,
      nReturned,
      executionTimeMillis: Math.round(performance.now() - started),
      totalKeysExamined: run.keysExamined,
      totalDocsExamined: run.docsExamined,
      executionStages: { ...winning, nReturned },
    };
    if (verbosity === 'allPlansExecution') (cursorStage.executionStats as Document).allPlansExecution = [];
  }
  if (e.pipelineRest && e.pipelineRest.length > 0) reply.stages = [{ $cursor: cursorStage }, ...e.pipelineRest];
  else Object.assign(reply, cursorStage);
  const { $db: _db, lsid: _lsid, $clusterTime: _ct, ...command } = inner;
  reply.command = { ...command, $db: ctx.db };
  reply.serverInfo = { host: ctx.server.host, port: ctx.server.port, version: '7.0.0', gitVersion: 'candor-embedded' };
  reply.serverParameters = { internalQueryFacetBufferSizeBytes: 104857600, internalQueryMaxBlockingSortMemoryUsageBytes: 104857600, internalDocumentSourceGroupMaxMemoryBytes: 104857600 };
  reply.ok = 1;
  return reply;
};
