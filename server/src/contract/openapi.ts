import { z } from 'zod';
import { PARTY_DESCRIPTIONS, type Party, type RawBody, type RouteResponse, type RouteSpec } from '../../../shared/contract.js';
import { ERROR_STATUS, errorResponseSchema, type ErrorCode } from '../../../shared/errors.js';
import { PARAM_SCHEMAS, ROUTES } from '../../../shared/routes.js';
import { ComponentSet, inlineSchema, type JsonObject } from './components.js';

/** Version of the documented contract (info.version of both documents). */
export const CONTRACT_VERSION = '1.0.0';

const SECURITY: Partial<Record<Party, string>> = { candidate: 'candidateToken', recruiter: 'recruiterToken', admin: 'recruiterToken', elevenlabs: 'elevenLabsSignature', voiceAgent: 'voiceLlmKey' };

const ERROR_MEANING: Record<ErrorCode, string> = {
  VALIDATION: 'the request is malformed (body, query, path or encoding)',
  UNAUTHORIZED: 'no or bad credentials',
  FORBIDDEN: 'the wrong party or role, or a foreign Origin (CORS_ORIGINS)',
  NOT_FOUND: 'no such resource',
  STATE_CONFLICT: 'the resource is in a state that does not allow this',
  SESSION_ENDED: 'the interview has ended',
  CONVERSATION_CONFLICT: 'the conversation belongs to another session',
  GONE: 'retired for good (an archived opening)',
  PAYLOAD_TOO_LARGE: 'the body is over the limit',
  RATE_LIMITED: 'too many requests; retry after Retry-After seconds',
  INTERNAL: 'an unexpected server error (nothing about it leaks)',
  DEPENDENCY_DOWN: 'the database or another dependency is unavailable; retry after Retry-After seconds',
};

/** express `:name` -> OpenAPI `{name}`. */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

export function pathParams(expressPath: string): string[] {
  return [...expressPath.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
}

/**
 * Every code a route can answer: its own, its party's, its mount's (/api checks the
 * Origin and the rate limit and parses JSON bodies), malformed paths and queries, and
 * INTERNAL. Sorted by status, then name, so documents are stable.
 */
export function errorCodesOf(spec: RouteSpec): ErrorCode[] {
  const codes = new Set<ErrorCode>(spec.errors ?? []);
  if (spec.auth === 'candidate') ['UNAUTHORIZED', 'VALIDATION'].forEach((c) => codes.add(c as ErrorCode));
  if (spec.auth === 'recruiter' || spec.auth === 'admin') ['UNAUTHORIZED', 'FORBIDDEN'].forEach((c) => codes.add(c as ErrorCode));
  if (spec.auth === 'elevenlabs' || spec.auth === 'voiceAgent') codes.add('UNAUTHORIZED');
  if (spec.path.startsWith('/api/')) ['FORBIDDEN', 'RATE_LIMITED'].forEach((c) => codes.add(c as ErrorCode));
  if (spec.body) ['VALIDATION', 'PAYLOAD_TOO_LARGE'].forEach((c) => codes.add(c as ErrorCode));
  if (spec.query || pathParams(spec.path).length > 0) codes.add('VALIDATION');
  codes.add('INTERNAL');
  return [...codes].sort((a, b) => ERROR_STATUS[a] - ERROR_STATUS[b] || a.localeCompare(b));
}

function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** The success bodies of a route by media type; null for no content. */
function bodiesOf(response: RouteResponse): RawBody[] | null {
  if (response === null) return null;
  if (response instanceof z.ZodType) return [{ contentType: 'application/json', schema: response }];
  return Array.isArray(response) ? [...(response as readonly RawBody[])] : [response as RawBody];
}

function statusesOf(spec: RouteSpec): number[] {
  return spec.status === undefined ? [200] : typeof spec.status === 'number' ? [spec.status] : [...spec.status];
}

const RETRY_AFTER = { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer', minimum: 1 } } };

function operationOf(name: string, spec: RouteSpec, components: ComponentSet): JsonObject {
  const parameters: JsonObject[] = [];
  for (const param of pathParams(spec.path)) {
    const schema = spec.params?.[param] ?? PARAM_SCHEMAS[param] ?? z.string();
    parameters.push({ name: param, in: 'path', required: true, schema: inlineSchema(schema, 'draft-2020-12', 'input') });
  }
  if (spec.query) {
    const query = inlineSchema(spec.query, 'draft-2020-12', 'input');
    const required = new Set((query.required as string[] | undefined) ?? []);
    for (const [param, schema] of Object.entries((query.properties as Record<string, JsonObject> | undefined) ?? {})) {
      parameters.push({ name: param, in: 'query', required: required.has(param), schema });
    }
  }
  for (const [header, { schema, description, required }] of Object.entries(spec.headers ?? {})) {
    parameters.push({ name: header, in: 'header', required: required ?? false, description, schema: inlineSchema(schema, 'draft-2020-12', 'input') });
  }

  const responses: JsonObject = {};
  const bodies = bodiesOf(spec.response);
  // JSON bodies become named components; text, HTML, PDF are described in place.
  const content = bodies
    ? Object.fromEntries(
        bodies.map(({ contentType, schema }) => [
          contentType,
          { schema: contentType.includes('json') ? components.ref(schema, `${pascal(name)}Response`, 'output') : inlineSchema(schema, 'draft-2020-12', 'output') },
        ]),
      )
    : null;
  for (const status of statusesOf(spec)) {
    const description = status === 201 ? 'Created' : status === 204 ? 'No Content' : 'OK';
    responses[String(status)] = content ? { description, content } : { description };
  }
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of errorCodesOf(spec)) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  for (const [status, codes] of byStatus) {
    const special = spec.errorBodies?.[status];
    const schema = special
      ? components.ref(special, `${pascal(name)}Error${status}`, 'output')
      : {
          allOf: [
            components.ref(errorResponseSchema, 'ErrorResponse', 'output'),
            { type: 'object', properties: { error: { type: 'object', properties: { code: { enum: codes } } } } },
          ],
        };
    responses[String(status)] = {
      description: codes.map((c) => `${c}: ${ERROR_MEANING[c]}`).join('; '),
      ...(status === 429 || status === 503 ? { headers: RETRY_AFTER } : {}),
      content: { 'application/json': { schema } },
      'x-error-codes': codes,
    };
  }

  const operation: JsonObject = {
    operationId: name,
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    tags: [spec.auth],
    'x-party': spec.auth,
    security: SECURITY[spec.auth] ? [{ [SECURITY[spec.auth]!]: [] }] : [],
    ...(parameters.length > 0 ? { parameters } : {}),
    responses,
  };
  if (spec.body) {
    const schema = components.ref(spec.body, `${pascal(name)}Request`, 'input');
    const types = ['application/json', ...(spec.bodyTypes ?? [])];
    operation.requestBody = { required: !spec.bodyOptional, content: Object.fromEntries(types.map((t) => [t, { schema }])) };
  }
  return operation;
}

/** The OpenAPI 3.1 document of a route catalogue (by default the server's: shared/routes.ts). */
export function buildOpenApi(routes: Record<string, RouteSpec> = ROUTES): JsonObject {
  const components = new ComponentSet('draft-2020-12');
  const paths: Record<string, JsonObject> = {};
  for (const [name, spec] of Object.entries(routes)) {
    const path = openApiPath(spec.path);
    const item = (paths[path] ??= {});
    const method = spec.method.toLowerCase();
    if (method in item) throw new Error(`two catalogue entries for ${spec.method} ${spec.path}`);
    item[method] = operationOf(name, spec, components);
  }
  const parties = [...new Set(Object.values(routes).map((r) => r.auth))];
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Candor REST API',
      version: CONTRACT_VERSION,
      summary: 'Real-time AI interviews: sessions, answers, voice, recruiter views, openings',
      description:
        'Errors are {"error": {"code", "message", "details"?}} with the status of the code. The live part of an interview (streamed questions, answers, the recruiter monitor) is socket.io: see /api/asyncapi.json. Generated from the zod schemas in ./shared (docs/api.md).',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/', description: 'this server' }],
    tags: parties.map((party) => ({ name: party, description: `Called by ${PARTY_DESCRIPTIONS[party]}` })),
    paths,
    components: {
      schemas: components.build(),
      securitySchemes: {
        candidateToken: { type: 'http', scheme: 'bearer', description: 'The candidateToken that POST /api/sessions returned for this session' },
        recruiterToken: { type: 'http', scheme: 'bearer', description: "RECRUITER_TOKEN (the bootstrap admin) or a named recruiter's token; admin routes need the admin role" },
        elevenLabsSignature: { type: 'apiKey', in: 'header', name: 'ElevenLabs-Signature', description: 'HMAC-SHA256 of "<timestamp>.<raw body>" with the webhook secret' },
        voiceLlmKey: { type: 'http', scheme: 'bearer', description: 'VOICE_LLM_KEY, stored as a secret of the ElevenLabs agent' },
      },
    },
  };
}
