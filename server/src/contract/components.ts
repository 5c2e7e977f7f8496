import { z } from 'zod';
import { ackErrorSchema, errorBodySchema, errorResponseSchema } from '../../../shared/errors.js';
import { evaluationResultSchema } from '../../../shared/interview.js';
import { emptyPayloadSchema, focusAckSchema } from '../../../shared/events.js';
import { okAckSchema, sessionSummarySchema, watchPayloadSchema, wireFocusSignalSchema } from '../../../shared/monitor.js';
import { openingViewSchema } from '../../../shared/opening.js';
import { planSummarySchema } from '../../../shared/plan.js';
import { answerAckSchema, inflightSchema, sessionSnapshotSchema, statusAckSchema, wireMessageSchema } from '../../../shared/protocol.js';
import { webhookDeliveryViewSchema, webhookEndpointViewSchema, webhookEndpointWithSecretSchema } from '../../../shared/webhooksOut.js';

export type JsonObject = { [key: string]: unknown };
export type Io = 'input' | 'output';
export type Target = 'draft-2020-12' | 'draft-07';

/**
 * Shapes that appear in many places get a readable component name; everything
 * else is named after the catalogue entry that uses it (e.g. `SessionDetailResponse`).
 */
const SHARED_NAMES: ReadonlyArray<readonly [z.ZodType, string]> = [
  [errorResponseSchema, 'ErrorResponse'],
  [errorBodySchema, 'ErrorBody'],
  [ackErrorSchema, 'AckError'],
  [wireMessageSchema, 'WireMessage'],
  [sessionSnapshotSchema, 'SessionSnapshot'],
  [inflightSchema, 'Inflight'],
  [sessionSummarySchema, 'SessionSummary'],
  [evaluationResultSchema, 'EvaluationResult'],
  [planSummarySchema, 'PlanSummary'],
  [wireFocusSignalSchema, 'FocusSignal'],
  [openingViewSchema, 'OpeningView'],
  [emptyPayloadSchema, 'EmptyPayload'],
  [statusAckSchema, 'StatusAck'],
  [answerAckSchema, 'AnswerAck'],
  [focusAckSchema, 'FocusAck'],
  [okAckSchema, 'OkAck'],
  [watchPayloadSchema, 'WatchPayload'],
  [webhookEndpointViewSchema, 'WebhookEndpointView'],
  [webhookEndpointWithSecretSchema, 'WebhookEndpointWithSecret'],
  [webhookDeliveryViewSchema, 'WebhookDeliveryView'],
];

/**
 * The `components.schemas` of a generated document, converted from zod with
 * `z.toJSONSchema` (zod 4's own converter). A schema is converted in the mode of
 * its use: request parts as `input` (defaults make a field optional, coercions
 * accept their input), answers and events as `output` (every field the server
 * sends, no unknown keys). A shape used both ways whose two conversions differ
 * gets a second component `<Name>Input`.
 *
 * `ref()` hands out `{$ref}` objects that are filled in by `build()`, once every
 * schema is known: the names of the refs depend on that comparison.
 */
export class ComponentSet {
  private readonly registries = { input: z.registry<{ id: string }>(), output: z.registry<{ id: string }>() };
  private readonly pending: Array<{ ref: JsonObject; id: string; io: Io }> = [];
  private readonly taken = new Set<string>();

  constructor(
    private readonly target: Target,
    private readonly prefix = '#/components/schemas/',
  ) {
    for (const [schema, name] of SHARED_NAMES) {
      this.registries.output.add(schema, { id: name });
      this.registries.input.add(schema, { id: name });
      this.taken.add(name);
    }
  }

  /** A `$ref` to `schema` as a component; `name` is used when the schema has none yet. */
  ref(schema: z.ZodType, name: string, io: Io): JsonObject {
    const registry = this.registries[io];
    let id = registry.get(schema)?.id ?? this.registries[io === 'input' ? 'output' : 'input'].get(schema)?.id;
    if (id === undefined) {
      if (this.taken.has(name)) throw new Error(`two different schemas want the component name ${name}`);
      id = name;
      this.taken.add(id);
    }
    if (!registry.has(schema)) registry.add(schema, { id });
    const ref: JsonObject = { $ref: '' };
    this.pending.push({ ref, id, io });
    return ref;
  }

  /** Converts every registered schema and resolves the refs handed out; returns `components.schemas`. */
  build(): Record<string, JsonObject> {
    const convert = (io: Io, uri: (id: string) => string) =>
      z.toJSONSchema(this.registries[io], { target: this.target, io, uri, unrepresentable: 'throw' }).schemas as Record<string, JsonObject>;
    const output = convert('output', (id) => this.prefix + id);
    const firstInput = convert('input', (id) => this.prefix + id);
    const differs = new Set(Object.keys(firstInput).filter((id) => id in output && JSON.stringify(firstInput[id]) !== JSON.stringify(output[id])));
    const inputName = (id: string) => (differs.has(id) ? `${id}Input` : id);
    const input = convert('input', (id) => this.prefix + inputName(id));

    const schemas: Record<string, JsonObject> = {};
    const used = new Set(this.pending.map(({ id, io }) => (io === 'input' ? inputName(id) : id)));
    for (const [id, schema] of Object.entries(output)) schemas[id] = tidy(schema);
    for (const [id, schema] of Object.entries(input)) {
      const name = inputName(id);
      if (!(name in schemas)) schemas[name] = tidy(schema);
    }
    for (const { ref, id, io } of this.pending) ref.$ref = this.prefix + (io === 'input' ? inputName(id) : id);
    return pruneUnreferenced(schemas, used, this.prefix);
  }
}

/** Inline conversion for schemas that are split up by the document (query and path parameters). */
export function inlineSchema(schema: z.ZodType, target: Target, io: Io): JsonObject {
  return tidy(z.toJSONSchema(schema, { target, io, unrepresentable: 'throw' }) as JsonObject);
}

/** Drops what a component or an inline part must not repeat: the dialect and the id (the document states both). */
function tidy(schema: JsonObject): JsonObject {
  const { $schema: _dialect, $id: _id, ...rest } = schema;
  return rest;
}

/** Keeps the components reachable from the document's refs (shared names nobody used are left out). */
function pruneUnreferenced(schemas: Record<string, JsonObject>, roots: Set<string>, prefix: string): Record<string, JsonObject> {
  const keep = new Set<string>();
  const visit = (name: string) => {
    if (keep.has(name) || !(name in schemas)) return;
    keep.add(name);
    for (const ref of refsIn(schemas[name])) if (ref.startsWith(prefix)) visit(ref.slice(prefix.length));
  };
  for (const root of roots) visit(root);
  return Object.fromEntries(Object.entries(schemas).filter(([name]) => keep.has(name)));
}

function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, v]) => (key === '$ref' && typeof v === 'string' ? [v] : refsIn(v)));
}
