import type { Document } from 'bson';
import { Aggregator, Query } from 'mingo';
import { bsonTypeName } from './bsonTypes.js';
import { MongoCommandError } from './errors.js';
import { compileJsonSchema } from './jsonSchema.js';
import { queryOptions } from './query.js';
import { isPlainObject, pathValues } from './values.js';

export type ValidationLevel = 'off' | 'strict' | 'moderate';
export type ValidationAction = 'error' | 'warn' | 'errorAndLog';

/** Operators a validator may not use (MongoDB bans them in this context). */
const BANNED_IN_VALIDATOR = ['$near', '$nearSphere', '$text', '$where', '$geoNear'];

/**
 * A collection's document validator (`create`/`collMod` options `validator`, `validationLevel`,
 * `validationAction`). Compiled once; `check` runs on every insert and update of the collection.
 */
export class CollectionValidator {
  private readonly query: Query;

  constructor(
    readonly validator: Document,
    readonly level: ValidationLevel,
    readonly action: ValidationAction,
  ) {
    for (const op of BANNED_IN_VALIDATOR) {
      if (mentions(validator, op)) throw new MongoCommandError('QueryFeatureNotAllowed', `${op} is not allowed in collection validators`);
    }
    // Compile the schema(s) now so a bad validator is refused by create/collMod, not by a later insert.
    forEachSchema(validator, (schema) => compileJsonSchema(schema));
    try {
      this.query = new Query(validator, queryOptions);
    } catch (err) {
      throw err instanceof MongoCommandError ? err : new MongoCommandError('BadValue', (err as Error).message);
    }
  }

  /** Builds the validator of a collection's options, or undefined when it has none in force. */
  static fromOptions(options: Document): CollectionValidator | undefined {
    const level = parseLevel(options.validationLevel);
    const action = parseAction(options.validationAction);
    const validator: unknown = options.validator;
    if (validator === undefined || validator === null) return undefined;
    if (!isPlainObject(validator)) throw new MongoCommandError('TypeMismatch', "BSON field 'validator' is the wrong type, expected type 'object'");
    if (Object.keys(validator).length === 0) return undefined;
    return new CollectionValidator(validator, level, action);
  }

  passes(doc: Document): boolean {
    return this.query.test(doc);
  }

  /**
   * Whether a new document version must be refused / warned about. `previous` is the stored
   * version for an update: with `validationLevel: 'moderate'`, an update of a document that
   * already broke the rules is not checked (MongoDB's rule).
   */
  fails(next: Document, previous: Document | undefined): boolean {
    if (this.level === 'off') return false;
    if (this.passes(next)) return false;
    if (previous && this.level === 'moderate' && !this.passes(previous)) return false;
    return true;
  }

  /** MongoDB's error 121 with `errInfo: {failingDocumentId, details}`. */
  error(doc: Document): MongoCommandError {
    return new MongoCommandError('DocumentValidationFailure', 'Document failed validation', {
      errInfo: { failingDocumentId: doc._id, details: this.details(doc) },
    });
  }

  /** Why `doc` fails, in the shape of MongoDB's `errInfo.details`. */
  details(doc: Document): Document {
    const clauses = Object.entries(this.validator).map(([k, v]) => ({ [k]: v as unknown }));
    const failing = clauses.flatMap((clause, index) => {
      const d = explainClause(clause, doc);
      return d ? [{ index, details: d }] : [];
    });
    if (clauses.length === 1) return failing[0]?.details ?? { operatorName: '$and', clausesNotSatisfied: [] };
    return { operatorName: '$and', clausesNotSatisfied: failing };
  }
}

function parseLevel(v: unknown): ValidationLevel {
  if (v === undefined || v === null) return 'strict';
  if (v === 'off' || v === 'strict' || v === 'moderate') return v;
  throw new MongoCommandError('BadValue', `Enumeration value '${String(v)}' for field 'validationLevel' is not a valid value.`);
}

function parseAction(v: unknown): ValidationAction {
  if (v === undefined || v === null) return 'error';
  if (v === 'error' || v === 'warn' || v === 'errorAndLog') return v;
  throw new MongoCommandError('BadValue', `Enumeration value '${String(v)}' for field 'validationAction' is not a valid value.`);
}

function mentions(v: unknown, op: string): boolean {
  if (Array.isArray(v)) return v.some((x) => mentions(x, op));
  if (!isPlainObject(v)) return false;
  return Object.entries(v).some(([k, x]) => k === op || mentions(x, op));
}

function forEachSchema(v: unknown, fn: (schema: unknown) => void): void {
  if (Array.isArray(v)) for (const x of v) forEachSchema(x, fn);
  else if (isPlainObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (k === '$jsonSchema') fn(x);
      else if (k.startsWith('$')) forEachSchema(x, fn);
    }
  }
}

function matches(clause: Document, doc: Document): boolean {
  return new Query(clause, queryOptions).test(doc);
}

const LOGICAL = new Set(['$and', '$or', '$nor']);

/** Details of one top-level clause that `doc` fails, or undefined when it holds. */
function explainClause(clause: Document, doc: Document): Document | undefined {
  if (matches(clause, doc)) return undefined;
  const [key, spec] = Object.entries(clause)[0] as [string, unknown];
  if (key === '$jsonSchema') {
    const schema = compileJsonSchema(spec);
    return {
      operatorName: '$jsonSchema',
      ...(schema.title !== undefined ? { title: schema.title } : {}),
      ...(schema.description !== undefined ? { description: schema.description } : {}),
      schemaRulesNotSatisfied: schema.validate(doc),
    };
  }
  if (LOGICAL.has(key) && Array.isArray(spec)) {
    const subs = spec.filter(isPlainObject);
    if (key === '$nor') {
      return { operatorName: '$nor', clausesSatisfied: subs.flatMap((s, index) => (matches(s, doc) ? [{ index, details: { operatorName: '$nor', specifiedAs: s, reason: 'expression matched' } }] : [])) };
    }
    const failed = subs.flatMap((s, index) => {
      const parts = Object.entries(s).map(([k, v]) => ({ [k]: v as unknown }));
      const d = parts.length === 1 ? explainClause(s, doc) : explainAnd(parts, doc);
      return d ? [{ index, details: d }] : [];
    });
    return { operatorName: key, clausesNotSatisfied: failed };
  }
  if (key === '$expr') {
    return { operatorName: '$expr', specifiedAs: clause, reason: 'expression did not match', expressionResult: evaluate(spec, doc) };
  }
  if (key.startsWith('$')) return { operatorName: key, specifiedAs: clause, reason: 'expression did not match' };
  return explainField(key, spec, doc);
}

function explainAnd(parts: Document[], doc: Document): Document | undefined {
  const failed = parts.flatMap((p, index) => {
    const d = explainClause(p, doc);
    return d ? [{ index, details: d }] : [];
  });
  return failed.length === 0 ? undefined : { operatorName: '$and', clausesNotSatisfied: failed };
}

const REASONS: Record<string, string> = {
  $eq: 'comparison failed',
  $ne: 'comparison succeeded',
  $gt: 'comparison failed',
  $gte: 'comparison failed',
  $lt: 'comparison failed',
  $lte: 'comparison failed',
  $in: 'no matching value found in array',
  $nin: 'matching value found in array',
  $type: 'type did not match',
  $regex: 'regular expression did not match',
  $size: 'array length was not equal to given size',
  $all: 'array did not contain all specified values',
  $elemMatch: 'array did not satisfy the child predicate',
  $mod: 'remainder not equal to given value',
  $not: 'child expression matched',
  $bitsAllSet: 'bitwise operator failed',
  $bitsAllClear: 'bitwise operator failed',
  $bitsAnySet: 'bitwise operator failed',
  $bitsAnyClear: 'bitwise operator failed',
};

/** `{field: condition}`: one entry per failing operator (implicit `$and` when several fail). */
function explainField(field: string, spec: unknown, doc: Document): Document | undefined {
  const ops = isPlainObject(spec) && Object.keys(spec).length > 0 && Object.keys(spec).every((k) => k.startsWith('$')) ? Object.entries(spec) : undefined;
  const values = pathValues(doc, field).filter((v) => v !== undefined);
  const consideredOf = (): Document => {
    if (values.length === 0) return {};
    const raw = pathOf(doc, field);
    if (Array.isArray(raw)) return { consideredValues: raw };
    return { consideredValue: values[0] };
  };
  const one = (op: string, arg: unknown): Document | undefined => {
    const clause = { [field]: op === '$eq' && !ops ? arg : { [op]: arg } };
    if (matches(clause, doc)) return undefined;
    const specifiedAs = op === '$eq' && !ops ? { [field]: arg } : { [field]: { [op]: arg } };
    if (op === '$exists') return { operatorName: '$exists', specifiedAs, reason: arg ? 'path does not exist' : 'path does exist' };
    if (values.length === 0 && op !== '$not' && op !== '$ne' && op !== '$nin') return { operatorName: op, specifiedAs, reason: 'field was missing' };
    const out: Document = { operatorName: op, specifiedAs, reason: REASONS[op] ?? 'expression did not match', ...consideredOf() };
    if (op === '$type') out.consideredType = bsonTypeName(values[0]);
    return out;
  };
  if (!ops) return one(spec instanceof RegExp ? '$regex' : '$eq', spec);
  const failed = ops.flatMap(([op, arg]) => {
    if (op === '$options') return [];
    const d = one(op, op === '$regex' && isPlainObject(spec) && typeof spec.$options === 'string' ? new RegExp(String(arg), spec.$options) : arg);
    return d ? [d] : [];
  });
  if (failed.length === 0) return undefined;
  if (failed.length === 1) return failed[0];
  return { operatorName: '$and', clausesNotSatisfied: failed.map((details, index) => ({ index, details })) };
}

function pathOf(doc: Document, path: string): unknown {
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    if (!isPlainObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

function evaluate(expr: unknown, doc: Document): unknown {
  try {
    const out = new Aggregator([{ $project: { _id: 0, r: expr } }], queryOptions).run([doc]) as Document[];
    return out[0]?.r ?? null;
  } catch {
    return null;
  }
}
