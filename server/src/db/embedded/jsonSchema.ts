import type { Document } from 'bson';
import { BSON_TYPE_NAMES, bsonTypeName, hasBsonType, hasJsonType, isNumeric, JSON_TYPE_NAMES, toNumber } from './bsonTypes.js';
import { MongoCommandError } from './errors.js';
import { isPlainObject, valueKey } from './values.js';

/**
 * MongoDB's `$jsonSchema` (JSON Schema draft 4 plus `bsonType`, without `$ref`, `format`,
 * `default`, `definitions`, `id`, `$schema`), compiled once. `validate` returns the rules a value
 * breaks in the shape MongoDB puts under `errInfo.details.schemaRulesNotSatisfied`; an empty
 * list means the value satisfies the schema.
 */
export interface CompiledSchema {
  validate(value: unknown): Document[];
  test(value: unknown): boolean;
  title?: string;
  description?: string;
}

type Rule = (value: unknown) => Document | undefined;

const UNSUPPORTED = new Set(['$ref', '$schema', 'default', 'definitions', 'format', 'id']);
const KNOWN = new Set([
  'bsonType', 'type', 'enum', 'required', 'properties', 'patternProperties', 'additionalProperties', 'minProperties',
  'maxProperties', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minLength', 'maxLength',
  'pattern', 'items', 'additionalItems', 'minItems', 'maxItems', 'uniqueItems', 'allOf', 'anyOf', 'oneOf', 'not',
  'dependencies', 'title', 'description', 'encrypt',
]);

function parseError(msg: string): MongoCommandError {
  return new MongoCommandError('FailedToParse', msg);
}

function nonNegativeInt(schema: Document, key: string): number {
  const v: unknown = schema[key];
  if (!isNumeric(v) || !Number.isInteger(toNumber(v)) || toNumber(v) < 0) throw parseError(`$jsonSchema keyword '${key}' must be a non-negative integer`);
  return toNumber(v);
}

function schemaArray(schema: Document, key: string): Document[] {
  const v: unknown = schema[key];
  if (!Array.isArray(v) || v.length === 0 || !v.every(isPlainObject)) throw parseError(`$jsonSchema keyword '${key}' must be a non-empty array of objects`);
  return v as Document[];
}

function typeNames(schema: Document, key: 'bsonType' | 'type'): string[] {
  const v: unknown = schema[key];
  const names = Array.isArray(v) ? v : [v];
  if (names.length === 0 || !names.every((n): n is string => typeof n === 'string')) {
    throw parseError(`$jsonSchema keyword '${key}' must be either a string or an array of strings`);
  }
  for (const n of names) {
    if (key === 'type' && n === 'integer') throw parseError("$jsonSchema type 'integer' is not currently supported.");
    if (!(key === 'type' ? JSON_TYPE_NAMES : BSON_TYPE_NAMES).has(n)) throw new MongoCommandError('BadValue', `Unknown type name alias: ${n}`);
  }
  return names;
}

function considered(value: unknown): Document {
  return { consideredValue: value };
}

export function compileJsonSchema(schema: unknown): CompiledSchema {
  if (!isPlainObject(schema)) throw parseError('$jsonSchema must be an object');
  const rules = compileRules(schema);
  const compiled: CompiledSchema = {
    validate(value) {
      const failed: Document[] = [];
      for (const rule of rules) {
        const d = rule(value);
        if (d) failed.push(d);
      }
      return failed;
    },
    test(value) {
      for (const rule of rules) if (rule(value)) return false;
      return true;
    },
  };
  if (typeof schema.title === 'string') compiled.title = schema.title;
  if (typeof schema.description === 'string') compiled.description = schema.description;
  return compiled;
}

function compileRules(schema: Document): Rule[] {
  for (const key of Object.keys(schema)) {
    if (UNSUPPORTED.has(key)) throw parseError(`$jsonSchema keyword '${key}' is not currently supported`);
    if (!KNOWN.has(key)) throw parseError(`Unknown $jsonSchema keyword: ${key}`);
  }
  if (schema.encrypt !== undefined) {
    throw new MongoCommandError('QueryFeatureNotAllowed', "$jsonSchema keyword 'encrypt' needs client-side field level encryption, which the embedded MongoDB server does not support; set MONGODB_URI to use a real MongoDB");
  }
  if (schema.type !== undefined && schema.bsonType !== undefined) throw parseError("Cannot specify both $jsonSchema keywords 'type' and 'bsonType'");
  const rules: Rule[] = [];
  if (schema.bsonType !== undefined) {
    const names = typeNames(schema, 'bsonType');
    const spec = schema.bsonType as unknown;
    rules.push((v) => (v === undefined || names.some((n) => hasBsonType(v, n)) ? undefined : { operatorName: 'bsonType', specifiedAs: { bsonType: spec }, reason: 'type did not match', ...considered(v), consideredType: bsonTypeName(v) }));
  }
  if (schema.type !== undefined) {
    const names = typeNames(schema, 'type');
    const spec = schema.type as unknown;
    rules.push((v) => (v === undefined || names.some((n) => hasJsonType(v, n)) ? undefined : { operatorName: 'type', specifiedAs: { type: spec }, reason: 'type did not match', ...considered(v), consideredType: bsonTypeName(v) }));
  }
  if (schema.enum !== undefined) {
    const values: unknown = schema.enum;
    if (!Array.isArray(values) || values.length === 0) throw parseError("$jsonSchema keyword 'enum' must be a non-empty array");
    const keys = new Set(values.map(valueKey));
    rules.push((v) => (v === undefined || keys.has(valueKey(v)) ? undefined : { operatorName: 'enum', specifiedAs: { enum: values }, reason: 'value was not found in enum', ...considered(v) }));
  }
  rules.push(...numberRules(schema), ...stringRules(schema), ...objectRules(schema), ...arrayRules(schema), ...logicRules(schema));
  return rules;
}

function numberRules(schema: Document): Rule[] {
  const rules: Rule[] = [];
  const bound = (key: 'minimum' | 'maximum', exclusiveKey: 'exclusiveMinimum' | 'exclusiveMaximum'): void => {
    const raw: unknown = schema[key];
    const exclusive: unknown = schema[exclusiveKey];
    if (exclusive !== undefined && typeof exclusive !== 'boolean') throw parseError(`$jsonSchema keyword '${exclusiveKey}' must be a boolean`);
    if (raw === undefined) {
      if (exclusive !== undefined) throw parseError(`$jsonSchema keyword '${key}' must be a present if ${exclusiveKey} is present`);
      return;
    }
    if (!isNumeric(raw)) throw parseError(`$jsonSchema keyword '${key}' must be a number`);
    const limit = toNumber(raw);
    const specifiedAs: Document = exclusive === true ? { [key]: raw, [exclusiveKey]: true } : { [key]: raw };
    rules.push((v) => {
      if (!isNumeric(v)) return undefined;
      const n = toNumber(v);
      const ok = key === 'minimum' ? (exclusive === true ? n > limit : n >= limit) : exclusive === true ? n < limit : n <= limit;
      return ok ? undefined : { operatorName: key, specifiedAs, reason: 'comparison failed', ...considered(v) };
    });
  };
  bound('minimum', 'exclusiveMinimum');
  bound('maximum', 'exclusiveMaximum');
  if (schema.multipleOf !== undefined) {
    const raw: unknown = schema.multipleOf;
    if (!isNumeric(raw) || toNumber(raw) <= 0) throw parseError("$jsonSchema keyword 'multipleOf' must be a positive number");
    const m = toNumber(raw);
    rules.push((v) => {
      if (!isNumeric(v)) return undefined;
      const q = toNumber(v) / m;
      return Number.isInteger(q) ? undefined : { operatorName: 'multipleOf', specifiedAs: { multipleOf: raw }, reason: 'considered value was not a multiple of specified value', ...considered(v) };
    });
  }
  return rules;
}

function stringRules(schema: Document): Rule[] {
  const rules: Rule[] = [];
  for (const key of ['minLength', 'maxLength'] as const) {
    if (schema[key] === undefined) continue;
    const limit = nonNegativeInt(schema, key);
    rules.push((v) => {
      if (typeof v !== 'string') return undefined;
      // JSON Schema counts code points, not UTF-16 units.
      const len = [...v].length;
      const ok = key === 'minLength' ? len >= limit : len <= limit;
      return ok ? undefined : { operatorName: key, specifiedAs: { [key]: schema[key] as unknown }, reason: 'specified string length was not satisfied', ...considered(v) };
    });
  }
  if (schema.pattern !== undefined) {
    const src: unknown = schema.pattern;
    if (typeof src !== 'string') throw parseError("$jsonSchema keyword 'pattern' must be a string");
    let re: RegExp;
    try {
      re = new RegExp(src, 'u');
    } catch {
      throw parseError(`$jsonSchema keyword 'pattern' is not a valid regular expression: ${src}`);
    }
    rules.push((v) => (typeof v !== 'string' || re.test(v) ? undefined : { operatorName: 'pattern', specifiedAs: { pattern: src }, reason: 'regular expression did not match', ...considered(v) }));
  }
  return rules;
}

function subSchema(schema: Document, key: string): CompiledSchema {
  const v: unknown = schema[key];
  if (!isPlainObject(v)) throw parseError(`$jsonSchema keyword '${key}' must be an object`);
  return compileJsonSchema(v);
}

function objectRules(schema: Document): Rule[] {
  const rules: Rule[] = [];
  const asObject = (v: unknown): Document | undefined => (isPlainObject(v) ? v : undefined);
  if (schema.required !== undefined) {
    const names: unknown = schema.required;
    if (!Array.isArray(names) || names.length === 0 || !names.every((n): n is string => typeof n === 'string')) {
      throw parseError("$jsonSchema keyword 'required' must be a non-empty array of strings");
    }
    rules.push((v) => {
      const o = asObject(v);
      if (!o) return undefined;
      const missing = names.filter((n) => o[n] === undefined);
      return missing.length === 0 ? undefined : { operatorName: 'required', specifiedAs: { required: names }, missingProperties: missing };
    });
  }
  for (const key of ['minProperties', 'maxProperties'] as const) {
    if (schema[key] === undefined) continue;
    const limit = nonNegativeInt(schema, key);
    rules.push((v) => {
      const o = asObject(v);
      if (!o) return undefined;
      const n = Object.keys(o).length;
      const ok = key === 'minProperties' ? n >= limit : n <= limit;
      return ok ? undefined : { operatorName: key, specifiedAs: { [key]: schema[key] as unknown }, reason: 'specified number of properties was not satisfied', numberOfProperties: n };
    });
  }
  const properties = new Map<string, CompiledSchema>();
  if (schema.properties !== undefined) {
    const props: unknown = schema.properties;
    if (!isPlainObject(props)) throw parseError("$jsonSchema keyword 'properties' must be an object");
    for (const [name, sub] of Object.entries(props)) {
      if (!isPlainObject(sub)) throw parseError(`Nested schema for $jsonSchema property '${name}' must be an object`);
      properties.set(name, compileJsonSchema(sub));
    }
    rules.push((v) => {
      const o = asObject(v);
      if (!o) return undefined;
      const failed: Document[] = [];
      for (const [name, sub] of properties) {
        const value: unknown = o[name];
        if (value === undefined) continue;
        const details = sub.validate(value);
        if (details.length === 0) continue;
        failed.push({ propertyName: name, ...(sub.description !== undefined ? { description: sub.description } : {}), details });
      }
      return failed.length === 0 ? undefined : { operatorName: 'properties', propertiesNotSatisfied: failed };
    });
  }
  const patterns: Array<{ source: string; re: RegExp; schema: CompiledSchema }> = [];
  if (schema.patternProperties !== undefined) {
    const pp: unknown = schema.patternProperties;
    if (!isPlainObject(pp)) throw parseError("$jsonSchema keyword 'patternProperties' must be an object");
    for (const [source, sub] of Object.entries(pp)) {
      if (!isPlainObject(sub)) throw parseError(`Nested schema for $jsonSchema patternProperties '${source}' must be an object`);
      patterns.push({ source, re: new RegExp(source, 'u'), schema: compileJsonSchema(sub) });
    }
    rules.push((v) => {
      const o = asObject(v);
      if (!o) return undefined;
      const failed: Document[] = [];
      for (const [name, value] of Object.entries(o)) {
        for (const p of patterns) {
          if (!p.re.test(name)) continue;
          const details = p.schema.validate(value);
          if (details.length > 0) failed.push({ propertyName: name, regexMatched: p.source, details });
        }
      }
      return failed.length === 0 ? undefined : { operatorName: 'patternProperties', details: failed };
    });
  }
  if (schema.additionalProperties !== undefined) {
    const ap: unknown = schema.additionalProperties;
    if (typeof ap !== 'boolean' && !isPlainObject(ap)) throw parseError("$jsonSchema keyword 'additionalProperties' must be either an object or a boolean");
    const sub = isPlainObject(ap) ? compileJsonSchema(ap) : undefined;
    const extra = (o: Document): string[] => Object.keys(o).filter((k) => !properties.has(k) && !patterns.some((p) => p.re.test(k)));
    rules.push((v) => {
      const o = asObject(v);
      if (!o || ap === true) return undefined;
      const names = extra(o);
      if (names.length === 0) return undefined;
      if (!sub) return { operatorName: 'additionalProperties', specifiedAs: { additionalProperties: false }, additionalProperties: names };
      for (const name of names) {
        const details = sub.validate(o[name]);
        if (details.length > 0) return { operatorName: 'additionalProperties', reason: 'at least one additional property did not match the subschema', failingProperty: name, details };
      }
      return undefined;
    });
  }
  if (schema.dependencies !== undefined) {
    const deps: unknown = schema.dependencies;
    if (!isPlainObject(deps)) throw parseError("$jsonSchema keyword 'dependencies' must be an object");
    const checks: Array<(o: Document) => Document | undefined> = [];
    for (const [prop, dep] of Object.entries(deps)) {
      if (Array.isArray(dep)) {
        if (!dep.every((n): n is string => typeof n === 'string')) throw parseError(`property '${prop}' in $jsonSchema keyword 'dependencies' must be an array of strings or an object`);
        checks.push((o) => {
          const missing = dep.filter((n) => o[n] === undefined);
          return missing.length === 0 ? undefined : { conditionalProperty: prop, missingProperties: missing };
        });
      } else if (isPlainObject(dep)) {
        const sub = compileJsonSchema(dep);
        checks.push((o) => {
          const details = sub.validate(o);
          return details.length === 0 ? undefined : { conditionalProperty: prop, details };
        });
      } else throw parseError(`property '${prop}' in $jsonSchema keyword 'dependencies' must be an array of strings or an object`);
      const check = checks[checks.length - 1] as (o: Document) => Document | undefined;
      checks[checks.length - 1] = (o) => (o[prop] === undefined ? undefined : check(o));
    }
    rules.push((v) => {
      const o = asObject(v);
      if (!o) return undefined;
      const failing = checks.map((c) => c(o)).filter((d): d is Document => d !== undefined);
      return failing.length === 0 ? undefined : { operatorName: 'dependencies', failingDependencies: failing };
    });
  }
  return rules;
}

function arrayRules(schema: Document): Rule[] {
  const rules: Rule[] = [];
  for (const key of ['minItems', 'maxItems'] as const) {
    if (schema[key] === undefined) continue;
    const limit = nonNegativeInt(schema, key);
    rules.push((v) => {
      if (!Array.isArray(v)) return undefined;
      const ok = key === 'minItems' ? v.length >= limit : v.length <= limit;
      return ok ? undefined : { operatorName: key, specifiedAs: { [key]: schema[key] as unknown }, reason: 'array did not match specified length', ...considered(v) };
    });
  }
  if (schema.uniqueItems !== undefined) {
    if (typeof schema.uniqueItems !== 'boolean') throw parseError("$jsonSchema keyword 'uniqueItems' must be a boolean");
    if (schema.uniqueItems) {
      rules.push((v) => {
        if (!Array.isArray(v)) return undefined;
        const seen = new Set<string>();
        for (const el of v) {
          const k = valueKey(el);
          if (seen.has(k)) return { operatorName: 'uniqueItems', specifiedAs: { uniqueItems: true }, reason: 'found a duplicate item', ...considered(v), duplicatedValue: el };
          seen.add(k);
        }
        return undefined;
      });
    }
  }
  let tupleLength: number | undefined;
  if (schema.items !== undefined) {
    const items: unknown = schema.items;
    if (isPlainObject(items)) {
      const sub = compileJsonSchema(items);
      rules.push((v) => {
        if (!Array.isArray(v)) return undefined;
        for (const [i, el] of v.entries()) {
          const details = sub.validate(el);
          if (details.length > 0) return { operatorName: 'items', reason: 'At least one item did not match the sub-schema', itemIndex: i, details };
        }
        return undefined;
      });
    } else if (Array.isArray(items) && items.every(isPlainObject)) {
      const subs = (items as Document[]).map((s) => compileJsonSchema(s));
      tupleLength = subs.length;
      rules.push((v) => {
        if (!Array.isArray(v)) return undefined;
        const failed: Document[] = [];
        subs.forEach((sub, i) => {
          if (i >= v.length) return;
          const details = sub.validate(v[i]);
          if (details.length > 0) failed.push({ index: i, details });
        });
        return failed.length === 0 ? undefined : { operatorName: 'items', details: failed };
      });
    } else throw parseError("$jsonSchema keyword 'items' must be an array or an object");
  }
  if (schema.additionalItems !== undefined) {
    const ai: unknown = schema.additionalItems;
    if (typeof ai !== 'boolean' && !isPlainObject(ai)) throw parseError("$jsonSchema keyword 'additionalItems' must be either an object or a boolean");
    // Only meaningful after a tuple-form `items`, as in JSON Schema.
    if (tupleLength !== undefined && ai !== true) {
      const from = tupleLength;
      const sub = isPlainObject(ai) ? compileJsonSchema(ai) : undefined;
      rules.push((v) => {
        if (!Array.isArray(v) || v.length <= from) return undefined;
        const rest = v.slice(from);
        if (!sub) return { operatorName: 'additionalItems', specifiedAs: { additionalItems: false }, reason: 'found additional items', additionalItems: rest };
        for (const [i, el] of rest.entries()) {
          const details = sub.validate(el);
          if (details.length > 0) return { operatorName: 'additionalItems', reason: 'At least one additional item did not match the sub-schema', itemIndex: from + i, details };
        }
        return undefined;
      });
    }
  }
  return rules;
}

function logicRules(schema: Document): Rule[] {
  const rules: Rule[] = [];
  const failures = (subs: CompiledSchema[], v: unknown): Document[] =>
    subs.flatMap((sub, index) => {
      const details = sub.validate(v);
      return details.length > 0 ? [{ index, details }] : [];
    });
  if (schema.allOf !== undefined) {
    const subs = schemaArray(schema, 'allOf').map((s) => compileJsonSchema(s));
    rules.push((v) => {
      if (v === undefined) return undefined;
      const failed = failures(subs, v);
      return failed.length === 0 ? undefined : { operatorName: 'allOf', schemasNotSatisfied: failed };
    });
  }
  if (schema.anyOf !== undefined) {
    const subs = schemaArray(schema, 'anyOf').map((s) => compileJsonSchema(s));
    rules.push((v) => {
      if (v === undefined || subs.some((s) => s.test(v))) return undefined;
      return { operatorName: 'anyOf', schemasNotSatisfied: failures(subs, v) };
    });
  }
  if (schema.oneOf !== undefined) {
    const subs = schemaArray(schema, 'oneOf').map((s) => compileJsonSchema(s));
    rules.push((v) => {
      if (v === undefined) return undefined;
      const matching = subs.flatMap((s, i) => (s.test(v) ? [i] : []));
      if (matching.length === 1) return undefined;
      if (matching.length === 0) return { operatorName: 'oneOf', schemasNotSatisfied: failures(subs, v) };
      return { operatorName: 'oneOf', reason: 'more than one subschema matched', matchingSchemaIndexes: matching };
    });
  }
  if (schema.not !== undefined) {
    const sub = subSchema(schema, 'not');
    rules.push((v) => (v === undefined || !sub.test(v) ? undefined : { operatorName: 'not', reason: 'child expression matched' }));
  }
  return rules;
}
