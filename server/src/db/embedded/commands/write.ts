import type { Document } from 'bson';
import { MongoCommandError, toCommandError } from '../errors.js';
import type { Collection, Store, WriteOptions } from '../store.js';
import { applyUpdate, buildUpsertDocument, validateUpdate, type UpdateSpec } from '../update.js';
import { isPlainObject } from '../values.js';
import { Projection } from '../projection.js';
import { collectionArg, docArray, matchDocs, optionalDoc, queryOptionsOf, shape } from './args.js';
import type { CommandHandler } from './context.js';

function ordered(cmd: Document): boolean {
  return cmd.ordered !== false;
}

/** `bypassDocumentValidation: true` skips the collection's validator for this command. */
export function writeOptions(cmd: Document): WriteOptions {
  return cmd.bypassDocumentValidation === true ? { bypassValidation: true } : {};
}

function withWriteErrors(reply: Document, errors: Document[]): Document {
  if (errors.length > 0) reply.writeErrors = errors;
  return reply;
}

export const insert: CommandHandler = (cmd, ctx) => {
  const name = collectionArg(cmd, 'insert');
  const docs = docArray(cmd, 'documents');
  const { coll } = ctx.store.ensureCollection(ctx.db, name);
  const errors: Document[] = [];
  const opts = writeOptions(cmd);
  let n = 0;
  for (const [i, doc] of docs.entries()) {
    try {
      ctx.store.insert(coll, doc, opts);
      n++;
    } catch (err) {
      errors.push(toCommandError(err).toWriteError(i));
      if (ordered(cmd)) break;
    }
  }
  return withWriteErrors({ n, ok: 1 }, errors);
};

interface UpdateOutcome {
  n: number;
  nModified: number;
  upsertedId?: unknown;
}

/** One update statement. Multi-document updates are atomic per document, as in MongoDB. */
function updateStatement(store: Store, db: string, name: string, stmt: Document, opts: WriteOptions): UpdateOutcome {
  const filter = isPlainObject(stmt.q) ? stmt.q : {};
  const update: UpdateSpec = validateUpdate(stmt.u);
  const arrayFilters = Array.isArray(stmt.arrayFilters) ? (stmt.arrayFilters as Document[]) : undefined;
  const coll = store.collection(db, name);
  const matches = matchDocs(coll, filter, queryOptionsOf(stmt, coll));
  if (matches.length > 0 && coll) {
    const targets = stmt.multi === true ? matches : matches.slice(0, 1);
    let nModified = 0;
    for (const doc of targets) {
      const next = applyUpdate(doc, update, { filter, arrayFilters, isInsert: false });
      if (!next.modified) continue;
      store.replace(coll, doc, next.doc, opts);
      nModified++;
    }
    return { n: targets.length, nModified };
  }
  if (stmt.upsert !== true) return { n: 0, nModified: 0 };
  const doc = buildUpsertDocument(filter, update, arrayFilters);
  const target: Collection = coll ?? store.ensureCollection(db, name).coll;
  const stored = store.insert(target, doc, { ...opts, upsert: true });
  return { n: 1, nModified: 0, upsertedId: stored._id };
}

export const update: CommandHandler = (cmd, ctx) => {
  const name = collectionArg(cmd, 'update');
  const stmts = docArray(cmd, 'updates');
  const errors: Document[] = [];
  const upserted: Document[] = [];
  const opts = writeOptions(cmd);
  let n = 0;
  let nModified = 0;
  for (const [i, stmt] of stmts.entries()) {
    try {
      const r = updateStatement(ctx.store, ctx.db, name, stmt, opts);
      n += r.n;
      nModified += r.nModified;
      if (r.upsertedId !== undefined) upserted.push({ index: i, _id: r.upsertedId });
    } catch (err) {
      errors.push(toCommandError(err).toWriteError(i));
      if (ordered(cmd)) break;
    }
  }
  const reply: Document = { n, nModified };
  if (upserted.length > 0) reply.upserted = upserted;
  reply.ok = 1;
  return withWriteErrors(reply, errors);
};

export const del: CommandHandler = (cmd, ctx) => {
  const name = collectionArg(cmd, 'delete');
  const stmts = docArray(cmd, 'deletes');
  const errors: Document[] = [];
  let n = 0;
  for (const [i, stmt] of stmts.entries()) {
    try {
      const coll = ctx.store.collection(ctx.db, name);
      const filter = isPlainObject(stmt.q) ? stmt.q : {};
      const limit = Number(stmt.limit ?? 0);
      if (limit !== 0 && limit !== 1) throw new MongoCommandError('FailedToParse', 'The limit field in delete objects must be 0 or 1');
      if (!coll) continue;
      const matches = matchDocs(coll, filter, queryOptionsOf(stmt, coll));
      for (const doc of limit === 1 ? matches.slice(0, 1) : matches) {
        ctx.store.remove(coll, doc);
        n++;
      }
    } catch (err) {
      errors.push(toCommandError(err).toWriteError(i));
      if (ordered(cmd)) break;
    }
  }
  return withWriteErrors({ n, ok: 1 }, errors);
};

export const findAndModify: CommandHandler = (cmd, ctx) => {
  const name = collectionArg(cmd, Object.keys(cmd)[0] ?? 'findAndModify');
  const filter = optionalDoc(cmd, 'query') ?? {};
  const sort = optionalDoc(cmd, 'sort');
  const fields = optionalDoc(cmd, 'fields');
  const remove = cmd.remove === true;
  const returnNew = cmd.new === true;
  const hasUpdate = cmd.update !== undefined && cmd.update !== null;
  if (remove && hasUpdate) throw new MongoCommandError('FailedToParse', 'Cannot specify both an update and remove=true');
  if (!remove && !hasUpdate) throw new MongoCommandError('FailedToParse', 'Either an update or remove=true must be specified');
  if (remove && (returnNew || cmd.upsert === true)) {
    throw new MongoCommandError('FailedToParse', 'Cannot specify both new=true and remove=true; \'remove\' always returns the deleted document');
  }
  const arrayFilters = Array.isArray(cmd.arrayFilters) ? (cmd.arrayFilters as Document[]) : undefined;
  // Validated before anything is written: a bad projection changes nothing.
  const projection = Projection.compile(fields, filter);
  const project = (doc: Document): Document => projection?.apply(doc) ?? doc;
  const coll = ctx.store.collection(ctx.db, name);
  const qopts = queryOptionsOf(cmd, coll, sort);
  const target = shape(matchDocs(coll, filter, qopts), { sort, limit: 1, collation: qopts.collation })[0];

  if (remove) {
    if (!target || !coll) return { lastErrorObject: { n: 0 }, value: null, ok: 1 };
    ctx.store.remove(coll, target);
    return { lastErrorObject: { n: 1 }, value: project(target), ok: 1 };
  }

  const spec = validateUpdate(cmd.update);
  if (target && coll) {
    const next = applyUpdate(target, spec, { filter, arrayFilters, isInsert: false });
    if (next.modified) ctx.store.replace(coll, target, next.doc, writeOptions(cmd));
    const value = returnNew ? next.doc : target;
    return { lastErrorObject: { n: 1, updatedExisting: true }, value: project(value), ok: 1 };
  }
  if (cmd.upsert !== true) return { lastErrorObject: { n: 0, updatedExisting: false }, value: null, ok: 1 };
  const doc = buildUpsertDocument(filter, spec, arrayFilters);
  const stored = ctx.store.insert(coll ?? ctx.store.ensureCollection(ctx.db, name).coll, doc, { ...writeOptions(cmd), upsert: true });
  return {
    lastErrorObject: { n: 1, updatedExisting: false, upserted: stored._id },
    value: returnNew ? project(stored) : null,
    ok: 1,
  };
};
