import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { Express } from 'express';
import type { Server } from 'socket.io';
import type { JsonObject } from '../../src/contract/components.js';
import { mountedRoutes } from '../../src/contract/mountedRoutes.js';
import { CLIENT_FALLBACK } from '../../src/http/staticClient.js';

/**
 * Checks real traffic against the GENERATED documents: bodies are validated with
 * ajv (JSON Schema 2020-12 for OpenAPI, draft-07 for AsyncAPI) against the schema
 * the document states — never by re-parsing with the zod schema it came from.
 */

// strictRequired off: zod states a record with enum keys as `propertyNames` + `required` (valid JSON Schema ajv's strict mode frowns on).
const addFormats = addFormatsModule as unknown as (ajv: Ajv | Ajv2020) => void;

/** Ids of the documents' components inside ajv: names only, resolved locally (ajv fetches nothing). */
const OPENAPI_ID = 'https://candor.invalid/openapi.json';
const ASYNCAPI_ID = 'https://candor.invalid/asyncapi.json';

const obj = (value: unknown): JsonObject => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : {});

/** Rewrites the document's local component refs to a schema ajv knows by id. */
function rewriteRefs(value: unknown, from: string, to: string): unknown {
  if (Array.isArray(value)) return value.map((v) => rewriteRefs(v, from, to));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' && v.startsWith(from) ? to + v.slice(from.length) : rewriteRefs(v, from, to)]),
  );
}

function describe(validate: ValidateFunction): string {
  return (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`).join('; ');
}

export interface Documented {
  operationId: string;
  template: string;
}

/** A recorded HTTP answer. */
export interface Reply {
  method: string;
  path: string;
  status: number;
  contentType: string;
  body: unknown;
  text: string;
}

export class OpenApiChecker {
  private readonly ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true });
  private readonly compiled = new Map<string, ValidateFunction>();
  /** operationId -> statuses seen, for the coverage of the flow itself. */
  readonly seen = new Map<string, Set<number>>();

  constructor(readonly doc: JsonObject) {
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: OPENAPI_ID, $defs: rewriteRefs(obj(doc.components).schemas, '#/components/schemas/', `${OPENAPI_ID}#/$defs/`) });
  }

  /** The documented operation a request hits (the template with the most literal segments wins). */
  operation(method: string, path: string): { template: string; op: JsonObject } {
    const candidates = Object.entries(obj(this.doc.paths))
      .filter(([template, item]) => method.toLowerCase() in obj(item) && new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+').replace(/\./g, '\\.')}$`).test(path))
      .sort(([a], [b]) => a.split('{').length - b.split('{').length);
    const hit = candidates[0];
    if (!hit) throw new Error(`${method} ${path} is not in the OpenAPI document`);
    return { template: hit[0], op: obj(obj(hit[1])[method.toLowerCase()]) };
  }

  /** Throws unless the answer's status is documented for its route and its body validates against the documented schema. */
  check(reply: Reply): void {
    const { template, op } = this.operation(reply.method, reply.path);
    const operationId = String(op.operationId);
    const response = obj(obj(op.responses)[String(reply.status)]);
    if (Object.keys(response).length === 0) throw new Error(`${reply.method} ${template} answered ${reply.status}, which is not documented (body ${reply.text.slice(0, 200)})`);
    if (response.content === undefined) {
      if (reply.text !== '') throw new Error(`${reply.method} ${template} ${reply.status} is documented without content but sent ${reply.text.slice(0, 200)}`);
      this.saw(operationId, reply.status);
      return;
    }
    const mediaType = Object.keys(obj(response.content)).find((type) => reply.contentType.startsWith(type));
    if (!mediaType) throw new Error(`${reply.method} ${template} ${reply.status}: content type ${reply.contentType} is not documented`);
    const key = `${operationId} ${reply.status} ${mediaType}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(rewriteRefs(obj(obj(response.content)[mediaType]).schema, '#/components/schemas/', `${OPENAPI_ID}#/$defs/`) as object);
      this.compiled.set(key, validate);
    }
    const body = mediaType.includes('json') ? reply.body : reply.text;
    if (!validate(body)) throw new Error(`${reply.method} ${template} ${reply.status}: body does not match the document: ${describe(validate)}\nbody: ${reply.text.slice(0, 400)}`);
    this.saw(operationId, reply.status);
  }

  private saw(operationId: string, status: number): void {
    const statuses = this.seen.get(operationId) ?? new Set<number>();
    statuses.add(status);
    this.seen.set(operationId, statuses);
  }
}

export class AsyncApiChecker {
  private readonly ajv = new Ajv({ strict: true, strictRequired: false, allErrors: true });
  private readonly compiled = new Map<string, ValidateFunction>();
  /** `${channel} ${event}` seen in each direction. */
  readonly seen = new Set<string>();

  constructor(readonly doc: JsonObject) {
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: ASYNCAPI_ID, definitions: rewriteRefs(obj(doc.components).schemas, '#/components/schemas/', `${ASYNCAPI_ID}#/definitions/`) });
  }

  private channelOf(address: string): [string, JsonObject] {
    const hit = Object.entries(obj(this.doc.channels)).find(([, c]) => obj(c).address === address);
    if (!hit) throw new Error(`namespace ${address} is not in the AsyncAPI document`);
    return [hit[0], obj(hit[1])];
  }

  private messageRef(ref: unknown): JsonObject {
    let node: unknown = this.doc;
    for (const part of String(obj(ref).$ref).replace(/^#\//, '').split('/')) node = obj(node)[part];
    return obj(node);
  }

  /** The operation of `event` on a namespace in a direction (`receive`: client -> server, `send`: server -> client). */
  operation(address: string, event: string, action: 'send' | 'receive'): JsonObject {
    const [channelId] = this.channelOf(address);
    const hit = Object.values(obj(this.doc.operations))
      .map(obj)
      .find((op) => op.action === action && obj(op.channel).$ref === `#/channels/${channelId}` && this.messageRef((op.messages as unknown[])[0]).name === event);
    if (!hit) throw new Error(`${address} ${action === 'send' ? 'server -> client' : 'client -> server'} event ${event} is not in the AsyncAPI document`);
    return hit;
  }

  private validate(key: string, schema: unknown, payload: unknown, what: string): void {
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(rewriteRefs(schema, '#/components/schemas/', `${ASYNCAPI_ID}#/definitions/`) as object);
      this.compiled.set(key, validate);
    }
    if (!validate(payload)) throw new Error(`${what} does not match the document: ${describe(validate)}\npayload: ${JSON.stringify(payload).slice(0, 400)}`);
  }

  /** A payload the server emitted. */
  checkSent(address: string, event: string, payload: unknown): void {
    const op = this.operation(address, event, 'send');
    this.validate(`${address} send ${event}`, this.messageRef((op.messages as unknown[])[0]).payload, payload, `${address} ${event}`);
    this.seen.add(`${address} send ${event}`);
  }

  /** A payload a client emitted and the ack it got back (the success ack or the refusal, whose code must be listed). */
  checkReceived(address: string, event: string, payload: unknown, ack: unknown): void {
    const op = this.operation(address, event, 'receive');
    this.validate(`${address} receive ${event}`, this.messageRef((op.messages as unknown[])[0]).payload, payload, `${address} ${event} payload`);
    const [okRef, errorRef] = obj(op.reply).messages as unknown[];
    if (obj(ack).ok === false) {
      this.validate(`${address} refusal`, this.messageRef(errorRef).payload, ack, `${address} ${event} refusal ack`);
      const code = String(obj(obj(ack).error).code);
      if (!(op['x-error-codes'] as string[]).includes(code)) throw new Error(`${address} ${event} refused with ${code}, which is not among its documented codes`);
    } else {
      this.validate(`${address} ack ${event}`, this.messageRef(okRef).payload, ack, `${address} ${event} ack`);
    }
    this.seen.add(`${address} receive ${event}`);
  }
}

// ---- coverage: what the server has vs what the documents say -----------------

export interface Coverage {
  /** Mounted or registered, missing from the document. */
  undocumented: string[];
  /** In the document, not mounted or registered. */
  missing: string[];
}

function diff(actual: Set<string>, documented: Set<string>): Coverage {
  return { undocumented: [...actual].filter((x) => !documented.has(x)).sort(), missing: [...documented].filter((x) => !actual.has(x)).sort() };
}

/** Routes of the real app (express syntax) against the OpenAPI paths. The SPA fallback serves the web client, not the API. */
export function routeCoverage(app: Express, openapi: JsonObject): Coverage & { regexps: string[] } {
  const routes = mountedRoutes(app);
  const regexps = routes.filter((r) => r.regexp && r.path !== CLIENT_FALLBACK.source).map((r) => `${r.method} ${r.path}`);
  const actual = new Set(routes.filter((r) => !r.regexp).map((r) => `${r.method} ${r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`));
  const documented = new Set(Object.entries(obj(openapi.paths)).flatMap(([path, item]) => Object.keys(obj(item)).map((m) => `${m.toUpperCase()} ${path}`)));
  return { ...diff(actual, documented), regexps };
}

/** socket.io's own events, not handlers of the protocol. */
const RESERVED = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener', 'error']);

/** The client events a connected server-side socket has handlers for, by namespace. */
export function registeredHandlers(io: Server, namespaces: readonly string[]): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  for (const ns of namespaces) {
    const sockets = [...io.of(ns).sockets.values()];
    if (sockets.length === 0) throw new Error(`no socket is connected to ${ns}: connect one before reading its handlers`);
    const names = new Set<string>();
    for (const socket of sockets) for (const name of socket.eventNames()) if (typeof name === 'string' && !RESERVED.has(name)) names.add(name);
    found.set(ns, names);
  }
  return found;
}

/**
 * Registered handlers against the document's `receive` operations, as `"/interview answer:submit"`;
 * a namespace's `x-refused-events` (answered FORBIDDEN) count as documented.
 */
export function eventCoverage(handlers: Map<string, Set<string>>, asyncapi: JsonObject): Coverage {
  const actual = new Set([...handlers].flatMap(([ns, names]) => [...names].map((n) => `${ns} ${n}`)));
  const documented = new Set<string>();
  for (const channel of Object.values(obj(asyncapi.channels)).map(obj)) {
    for (const event of (channel['x-refused-events'] as string[] | undefined) ?? []) documented.add(`${String(channel.address)} ${event}`);
  }
  for (const op of Object.values(obj(asyncapi.operations)).map(obj)) {
    if (op.action !== 'receive') continue;
    const channel = obj(obj(asyncapi.channels)[String(obj(op.channel).$ref).split('/').pop()!]);
    const ref = String(obj((op.messages as unknown[])[0]).$ref).split('/');
    const message = obj(obj(channel.messages)[ref[ref.length - 1]!]);
    documented.add(`${String(channel.address)} ${String(message.name)}`);
  }
  return diff(actual, documented);
}
