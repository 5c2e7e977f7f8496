import { Parser } from '@asyncapi/parser';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../../shared/routes.js';
import { SOCKET_NAMESPACES } from '../../../shared/sockets.js';
import type { JsonObject } from '../../src/contract/components.js';
import { errorCodesOf, openApiPath } from '../../src/contract/openapi.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * OpenAPI 3.1 against the specification's JSON Schema, refs resolved; and every
 * schema object of it against the JSON Schema 2020-12 meta-schema (ajv, strict).
 */
async function openApiProblems(doc: unknown): Promise<unknown[]> {
  const result = await new Validator().validate(doc as Record<string, unknown>);
  if (!result.valid) return [result.errors];
  const ajv = new Ajv2020({ strict: true });
  const schemas = Object.entries((doc as { components: { schemas: Record<string, object> } }).components.schemas);
  return schemas.filter(([, schema]) => !ajv.validateSchema(schema)).map(([name]) => `${name}: ${ajv.errorsText()}`);
}

/** AsyncAPI 3 with the official parser: its JSON Schema plus the spec's semantic rules (refs, reply channels, ...). */
async function asyncApiProblems(doc: unknown): Promise<string[]> {
  const diagnostics = await new Parser().validate(doc as never);
  return diagnostics.map((d) => `${d.code}: ${d.message} at ${d.path.join('.')}`);
}

describe('the API documents', () => {
  let server: TestServer;
  let openapi: JsonObject;
  let asyncapi: JsonObject;
  let page: { status: number; type: string; csp: string; html: string };

  beforeAll(async () => {
    server = await startTestServer();
    openapi = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as JsonObject;
    asyncapi = (await (await fetch(`${server.url}/api/asyncapi.json`)).json()) as JsonObject;
    const res = await fetch(`${server.url}/docs`);
    page = { status: res.status, type: res.headers.get('content-type') ?? '', csp: res.headers.get('content-security-policy') ?? '', html: await res.text() };
  });

  afterAll(async () => {
    await server?.close();
  });

  it('/api/openapi.json is a valid OpenAPI 3.1 document', async () => {
    expect(openapi.openapi).toBe('3.1.0');
    expect(await openApiProblems(openapi)).toEqual([]);
  });

  it('/api/asyncapi.json is a valid AsyncAPI 3 document, without a single warning', async () => {
    expect(String(asyncapi.asyncapi)).toMatch(/^3\./);
    expect(await asyncApiProblems(asyncapi)).toEqual([]);
  }, 30_000);

  it('the validators catch a broken document (a dangling schema ref, a message outside its channel)', async () => {
    const brokenOpenApi = structuredClone(openapi);
    delete (brokenOpenApi.components as { schemas: JsonObject }).schemas.SessionSummary;
    expect(await openApiProblems(brokenOpenApi)).not.toEqual([]);

    const brokenAsyncApi = structuredClone(asyncapi) as { operations: Record<string, { messages: unknown[] }> };
    brokenAsyncApi.operations['interview.answerSubmit']!.messages = [{ $ref: '#/channels/monitor/messages/sessionWatch' }];
    expect((await asyncApiProblems(brokenAsyncApi)).join('\n')).toMatch(/asyncapi3-operation-messages-from-referred-channel/);
    const dangling = structuredClone(asyncapi) as { components: { schemas: JsonObject } };
    delete dangling.components.schemas.WireMessage;
    expect((await asyncApiProblems(dangling)).join('\n')).toMatch(/WireMessage/);
  }, 30_000);

  it('every route states who may call it, its schemas and its error codes', () => {
    const paths = openapi.paths as Record<string, Record<string, JsonObject>>;
    for (const [name, spec] of Object.entries(ROUTES)) {
      const op = paths[openApiPath(spec.path)]?.[spec.method.toLowerCase()];
      expect(op, `${spec.method} ${spec.path}`).toBeDefined();
      expect(op!.operationId).toBe(name);
      expect(op!['x-party']).toBe(spec.auth);
      const responses = op!.responses as Record<string, JsonObject>;
      const documentedCodes = Object.values(responses).flatMap((r) => (r['x-error-codes'] as string[] | undefined) ?? []);
      expect(documentedCodes.sort()).toEqual([...errorCodesOf(spec)].sort());
      if (spec.body) expect(op!.requestBody).toBeDefined();
    }
    // A recruiter route names its scheme; a public one says it needs none.
    expect(paths['/api/sessions/{id}']!.get!.security).toEqual([{ recruiterToken: [] }]);
    expect(paths['/api/roles']!.get!.security).toEqual([]);
  });

  it('the recruiter session detail is documented with every field it sends, dates as ISO strings', () => {
    const schemas = (openapi.components as { schemas: Record<string, JsonObject> }).schemas;
    const detail = schemas.SessionDetailResponse!;
    expect(detail.additionalProperties).toBe(false);
    expect(Object.keys(detail.properties as JsonObject)).toEqual(
      expect.arrayContaining(['id', 'clientSessionId', 'status', 'messages', 'plan', 'focus', 'summary', 'evaluation', 'voice', 'transcript', 'createdAt']),
    );
    expect((detail.properties as Record<string, JsonObject>).createdAt).toMatchObject({ type: 'string', format: 'date-time' });
  });

  it('GET /docs is one self-contained HTML page showing every route and event with its party, schemas and error codes', () => {
    expect(page.status).toBe(200);
    expect(page.type).toMatch(/^text\/html/);
    // Nothing loaded from elsewhere, nothing to execute: it renders offline under the CSP.
    expect(page.html).not.toMatch(/<script|<link|src=|https?:\/\/(?!json-schema)/i);
    expect(page.csp).toContain("default-src 'self'");
    for (const spec of Object.values(ROUTES)) expect(page.html).toContain(`<code>${openApiPath(spec.path)}</code>`);
    for (const ns of Object.values(SOCKET_NAMESPACES)) {
      for (const event of [...Object.keys(ns.clientEvents), ...Object.keys(ns.serverEvents)]) expect(page.html).toContain(`<code>${event}</code>`);
    }
    expect(page.html).toContain('a recruiter (Authorization: Bearer &lt;recruiter token&gt;)');
    expect(page.html).toContain('<code>STATE_CONFLICT</code>');
    expect(page.html).toContain('id="schema-SessionDetailResponse"');
  });
});
