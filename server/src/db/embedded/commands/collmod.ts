import type { Document } from 'bson';
import { MongoCommandError } from '../errors.js';
import { checkExpireAfterSeconds, type IndexSpec } from '../indexes.js';
import { isPlainObject, valueKey } from '../values.js';
import { collectionArg } from './args.js';
import type { CommandHandler } from './context.js';
import { GENERIC_FIELDS } from './ddl.js';

const VALIDATION_FIELDS = new Set(['validator', 'validationLevel', 'validationAction']);

/**
 * collMod: the validator (`validator`, `validationLevel`, `validationAction`) and one index's
 * `hidden` / `expireAfterSeconds`, found by `name` or `keyPattern`. Replies like MongoDB:
 * `{hidden_old, hidden_new}` / `{expireAfterSeconds_old, expireAfterSeconds_new}`.
 */
export const collMod: CommandHandler = (cmd, ctx) => {
  const name = collectionArg(cmd, 'collMod');
  const coll = ctx.store.collection(ctx.db, name);
  if (!coll) throw new MongoCommandError('NamespaceNotFound', `ns does not exist: ${ctx.db}.${name}`);
  for (const k of Object.keys(cmd)) {
    if (k !== 'collMod' && !GENERIC_FIELDS.has(k) && !VALIDATION_FIELDS.has(k) && k !== 'index' && k !== 'dryRun') {
      throw new MongoCommandError('InvalidOptions', `unknown option to collMod: ${k}`);
    }
  }
  const reply: Document = {};
  // Everything is checked before anything is written: a refused collMod changes nothing.
  let nextIndex: IndexSpec | undefined;
  if (cmd.index !== undefined) {
    const { spec, changes } = modifiedIndex(cmd.index, coll.indexSpecs(), `${coll.ns}`);
    nextIndex = spec;
    Object.assign(reply, changes);
  }
  let nextOptions: Document | undefined;
  if ([...VALIDATION_FIELDS].some((k) => cmd[k] !== undefined)) {
    nextOptions = { ...coll.options };
    for (const k of VALIDATION_FIELDS) if (cmd[k] !== undefined) nextOptions[k] = cmd[k];
    if (isPlainObject(nextOptions.validator) && Object.keys(nextOptions.validator).length > 0) {
      nextOptions.validationLevel ??= 'strict';
      nextOptions.validationAction ??= 'error';
    }
  }
  if (cmd.dryRun === true) return { ...reply, ok: 1 };
  if (nextOptions) ctx.store.setCollectionOptions(coll, nextOptions);
  if (nextIndex) ctx.store.modifyIndex(coll, nextIndex);
  reply.ok = 1;
  return reply;
};

function modifiedIndex(raw: unknown, specs: IndexSpec[], ns: string): { spec: IndexSpec; changes: Document } {
  if (!isPlainObject(raw)) throw new MongoCommandError('TypeMismatch', "BSON field 'collMod.index' is the wrong type, expected type 'object'");
  const byName = typeof raw.name === 'string' ? raw.name : undefined;
  const byKey = isPlainObject(raw.keyPattern) ? raw.keyPattern : undefined;
  if ((byName === undefined) === (byKey === undefined)) {
    throw new MongoCommandError('InvalidOptions', 'Must specify either index name or key pattern.');
  }
  const current = byName !== undefined ? specs.find((s) => s.name === byName) : specs.find((s) => valueKey(s.key) === valueKey(byKey));
  if (!current) {
    throw new MongoCommandError('IndexNotFound', `cannot find index ${byName ?? JSON.stringify(byKey)} for ns ${ns}`);
  }
  if (raw.hidden === undefined && raw.expireAfterSeconds === undefined) {
    throw new MongoCommandError('InvalidOptions', 'no expireAfterSeconds or hidden field');
  }
  const spec: IndexSpec = { ...current };
  const changes: Document = {};
  if (raw.expireAfterSeconds !== undefined) {
    if (current.name === '_id_' || Object.keys(current.key).length !== 1) {
      throw new MongoCommandError('InvalidOptions', `TTL indexes are single-field indexes, compound indexes do not support TTL. Index: ${current.name}`);
    }
    const secs = checkExpireAfterSeconds(raw.expireAfterSeconds, 'InvalidOptions');
    if (current.expireAfterSeconds !== undefined) changes.expireAfterSeconds_old = current.expireAfterSeconds;
    changes.expireAfterSeconds_new = secs;
    spec.expireAfterSeconds = secs;
  }
  if (raw.hidden !== undefined) {
    if (typeof raw.hidden !== 'boolean') throw new MongoCommandError('TypeMismatch', "BSON field 'collMod.index.hidden' is the wrong type, expected type 'bool'");
    if (current.name === '_id_') throw new MongoCommandError('BadValue', 'can\'t hide _id index');
    changes.hidden_old = current.hidden === true;
    changes.hidden_new = raw.hidden;
    if (raw.hidden) spec.hidden = true;
    else delete spec.hidden;
  }
  return { spec, changes };
}
