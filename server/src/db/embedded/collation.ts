import type { Document } from 'bson';
import { Context } from 'mingo/core';
import * as accumulatorOperators from 'mingo/operators/accumulator';
import * as expressionOperators from 'mingo/operators/expression';
import * as pipelineOperators from 'mingo/operators/pipeline';
import * as projectionOperators from 'mingo/operators/projection';
import * as queryOperators from 'mingo/operators/query';
import * as windowOperators from 'mingo/operators/window';
import type { CollationSpec } from 'mingo/types';
import { compare, ensureArray, flatten, isEqual, isNil, resolve, typeOf } from 'mingo/util';
import { MongoCommandError } from './errors.js';
import { isPlainObject } from './values.js';

/**
 * MongoDB collation (locale, strength, caseLevel, caseFirst, numericOrdering, alternate) on
 * top of ICU through `Intl.Collator`. `simple` (or none) is binary comparison and costs nothing.
 * Queries get collation-aware comparison operators, sorts use mingo's collated `$sort`, and an
 * index with a collation keys its strings by `fold` (so a strength-2 unique index refuses
 * 'A@x.io' next to 'a@x.io').
 */
export interface Collation {
  /** As MongoDB reports it (listIndexes, explain). */
  spec: Document;
  /** Identity of the collation (two equal keys compare strings the same way). */
  key: string;
  /** mingo's collation spec (for `$sort`). */
  mingo: CollationSpec;
  compare(a: string, b: string): number;
  /** A string that is equal for two strings the collation considers equal. */
  fold(s: string): string;
  /** Query operators (all of mingo's, with collated comparisons). */
  context: Context;
}

const STRENGTH_SENSITIVITY: Record<number, Intl.CollatorOptions['sensitivity']> = { 1: 'base', 2: 'accent', 3: 'variant', 4: 'variant', 5: 'variant' };
const OPTION_FIELDS = new Set(['locale', 'caseLevel', 'caseFirst', 'strength', 'numericOrdering', 'alternate', 'maxVariable', 'normalization', 'backwards', 'version']);
const cache = new Map<string, Collation>();

/** Parses a command's `collation`; undefined for none or `{locale: 'simple'}`. Refuses what MongoDB refuses. */
export function parseCollation(raw: unknown): Collation | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isPlainObject(raw)) throw new MongoCommandError('TypeMismatch', "BSON field 'collation' is the wrong type, expected type 'object'");
  for (const k of Object.keys(raw)) {
    if (!OPTION_FIELDS.has(k)) throw new MongoCommandError('Location40415', `BSON field 'collation.${k}' is an unknown field.`);
  }
  const locale: unknown = raw.locale;
  if (typeof locale !== 'string') throw new MongoCommandError('Location40414', "BSON field 'collation.locale' is missing but a required field");
  if (locale === 'simple') {
    if (Object.keys(raw).length > 1) throw new MongoCommandError('BadValue', "If locale is 'simple', other collation options must not be specified");
    return undefined;
  }
  const supported = Intl.Collator.supportedLocalesOf([locale.replace(/_/g, '-')]);
  if (supported.length === 0) throw new MongoCommandError('BadValue', `Field 'locale' is invalid in: ${JSON.stringify(raw)}`);
  const strength = raw.strength === undefined ? 3 : Number(raw.strength);
  if (![1, 2, 3, 4, 5].includes(strength)) throw new MongoCommandError('BadValue', `Field 'strength' must be an integer 1 through 5. Got: ${String(raw.strength)}`);
  const caseFirst = raw.caseFirst === undefined ? 'off' : raw.caseFirst;
  if (caseFirst !== 'off' && caseFirst !== 'upper' && caseFirst !== 'lower') throw new MongoCommandError('BadValue', `Field 'caseFirst' must be 'upper', 'lower' or 'off'. Got: ${String(caseFirst)}`);
  const alternate = raw.alternate === undefined ? 'non-ignorable' : raw.alternate;
  if (alternate !== 'non-ignorable' && alternate !== 'shifted') throw new MongoCommandError('BadValue', `Field 'alternate' must be 'non-ignorable' or 'shifted'. Got: ${String(alternate)}`);
  const spec: Document = {
    locale,
    caseLevel: raw.caseLevel === true,
    caseFirst,
    strength,
    numericOrdering: raw.numericOrdering === true,
    alternate,
    maxVariable: typeof raw.maxVariable === 'string' ? raw.maxVariable : 'punct',
    normalization: raw.normalization === true,
    backwards: raw.backwards === true,
    version: '57.1',
  };
  const key = JSON.stringify(spec);
  const cached = cache.get(key);
  if (cached) return cached;
  const made = build(spec, key);
  cache.set(key, made);
  return made;
}

/** The collation in force: the command's, else the collection's default (`create`'s `collation`). */
export function effectiveCollation(raw: unknown, collectionDefault: unknown): Collation | undefined {
  return raw === undefined || raw === null ? parseCollation(collectionDefault) : parseCollation(raw);
}

/** True when two collations compare strings alike (undefined = simple). */
export function sameCollation(a: Collation | undefined, b: Collation | undefined): boolean {
  return (a?.key ?? 'simple') === (b?.key ?? 'simple');
}

function build(spec: Document, key: string): Collation {
  const strength = spec.strength as number;
  const options: Intl.CollatorOptions = {
    sensitivity: STRENGTH_SENSITIVITY[strength] ?? 'variant',
    numeric: spec.numericOrdering === true,
    ignorePunctuation: spec.alternate === 'shifted',
  };
  if (spec.caseFirst !== 'off') options.caseFirst = spec.caseFirst as 'upper' | 'lower';
  if (spec.caseLevel === true) {
    if (options.sensitivity === 'base') options.sensitivity = 'case';
    if (options.sensitivity === 'accent') options.sensitivity = 'variant';
  }
  const locale = (spec.locale as string).replace(/_/g, '-');
  const collator = new Intl.Collator(locale, options);
  const caseInsensitive = options.sensitivity === 'base' || options.sensitivity === 'accent';
  const accentInsensitive = options.sensitivity === 'base' || options.sensitivity === 'case';
  const fold = (s: string): string => {
    let out = s.normalize('NFC');
    if (caseInsensitive) out = out.toLocaleLowerCase(locale);
    if (accentInsensitive) out = out.normalize('NFD').replace(/\p{M}/gu, '').normalize('NFC');
    if (options.ignorePunctuation) out = out.replace(/[\p{P}\p{Z}\p{S}]/gu, '');
    return out;
  };
  const cmp = (a: string, b: string): number => collator.compare(a, b);
  const mingoSpec: CollationSpec = {
    locale,
    strength: (strength > 3 ? 3 : strength) as 1 | 2 | 3,
    caseLevel: spec.caseLevel === true,
    caseFirst: spec.caseFirst as 'upper' | 'lower' | 'off',
    numericOrdering: spec.numericOrdering === true,
    alternate: spec.alternate as string,
  };
  return { spec, key, mingo: mingoSpec, compare: cmp, fold, context: collatedContext(cmp) };
}

type Cmp = (a: string, b: string) => number;
type QueryOperator = (selector: string, value: unknown, options: unknown) => (obj: Document) => boolean;

/** Equality under the collation: strings by the collator, everything else as BSON equality. */
function equalUnder(cmp: Cmp, a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') return cmp(a, b) === 0;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equalUnder(cmp, x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && equalUnder(cmp, a[k], b[k]));
  }
  return isEqual(a, b);
}

function depthOf(selector: string): number {
  let depth = 0;
  for (const ch of selector) if (ch === '.') depth++;
  return depth;
}

/** mingo's comparison query operators, with strings compared under the collation. */
function collatedContext(cmp: Cmp): Context {
  const eq = (a: unknown, b: unknown, depth: number): boolean => {
    if (equalUnder(cmp, a, b)) return true;
    if (isNil(a) && isNil(b)) return true;
    if (Array.isArray(a)) return a.some((v) => equalUnder(cmp, v, b)) || flatten(a, depth || 1).some((v) => equalUnder(cmp, v, b));
    return false;
  };
  const inList = (a: unknown, list: unknown[]): boolean => {
    if (isNil(a)) return list.some((v) => v === null);
    const values = ensureArray(a) as unknown[];
    return values.some((v) => list.some((x) => (x instanceof RegExp ? typeof v === 'string' && x.test(v) : equalUnder(cmp, v, x))));
  };
  const order = (test: (n: number) => boolean) => (a: unknown, b: unknown): boolean => {
    for (const v of ensureArray(a) as unknown[]) {
      if (typeOf(v) !== typeOf(b)) continue;
      const n = typeof v === 'string' && typeof b === 'string' ? cmp(v, b) : compare(v, b);
      if (test(n)) return true;
    }
    return false;
  };
  const field = (pred: (lhs: unknown, value: unknown, depth: number) => boolean): QueryOperator => (selector, value) => {
    const depth = depthOf(selector);
    return (obj) => pred(resolve(obj, selector, { unwrapArray: true }), value, depth);
  };
  const asList = (v: unknown): unknown[] => {
    if (!Array.isArray(v)) throw new MongoCommandError('BadValue', '$in needs an array');
    return v;
  };
  const ops: Record<string, QueryOperator> = {
    $eq: field((a, b, d) => eq(a, b, d)),
    $ne: field((a, b, d) => !eq(a, b, d)),
    $in: field((a, b) => inList(a, asList(b))),
    $nin: field((a, b) => !inList(a, asList(b))),
    $gt: field(order((n) => n > 0)),
    $gte: field(order((n) => n >= 0)),
    $lt: field(order((n) => n < 0)),
    $lte: field(order((n) => n <= 0)),
  };
  return Context.init({
    accumulator: accumulatorOperators,
    expression: expressionOperators,
    pipeline: pipelineOperators,
    projection: projectionOperators,
    query: { ...queryOperators, ...ops } as unknown as typeof queryOperators,
    window: windowOperators,
  });
}
