import type { JsonObject } from './components.js';

/**
 * GET /docs: both generated documents as one readable HTML page, rendered here
 * from the documents themselves (so the page shows exactly what they say). No
 * script, no external asset: it works offline and under the strict CSP.
 * Schemas are shown as TypeScript-like types; named ones link to their section.
 */

type Schema = JsonObject;

const esc = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const obj = (value: unknown): JsonObject => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : {});
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The component name of a local `$ref`. */
function refName(ref: string): string {
  return ref.slice(ref.lastIndexOf('/') + 1);
}

function constraints(s: Schema): string {
  const notes: string[] = [];
  if (typeof s.format === 'string') notes.push(s.format);
  if (typeof s.minLength === 'number') notes.push(`min length ${s.minLength}`);
  if (typeof s.maxLength === 'number') notes.push(`max length ${s.maxLength}`);
  if (typeof s.minimum === 'number') notes.push(`>= ${s.minimum}`);
  if (typeof s.exclusiveMinimum === 'number') notes.push(`> ${s.exclusiveMinimum}`);
  if (typeof s.maximum === 'number') notes.push(`<= ${s.maximum}`);
  if (typeof s.exclusiveMaximum === 'number') notes.push(`< ${s.exclusiveMaximum}`);
  if (typeof s.minItems === 'number') notes.push(`min ${s.minItems} items`);
  if (typeof s.maxItems === 'number') notes.push(`max ${s.maxItems} items`);
  if (typeof s.pattern === 'string' && typeof s.format !== 'string') notes.push(`/${s.pattern}/`);
  if (s.default !== undefined) notes.push(`default ${JSON.stringify(s.default)}`);
  return notes.length > 0 ? ` <span class="c">(${esc(notes.join(', '))})</span>` : '';
}

/** A JSON Schema as an HTML type expression, indented `depth` levels. */
export function renderSchema(schema: unknown, depth = 0, anchor = 'schema-'): string {
  const s = obj(schema);
  const pad = '  '.repeat(depth + 1);
  const end = '  '.repeat(depth);
  if (typeof s.$ref === 'string') {
    const name = refName(s.$ref);
    return `<a href="#${anchor}${esc(name)}">${esc(name)}</a>`;
  }
  if (Array.isArray(s.allOf)) {
    // The error envelope restricted to some codes (openapi.ts): say it plainly.
    const parts = s.allOf.map((part) => {
      const codes = list(obj(obj(obj(obj(obj(part).properties).error).properties).code).enum);
      return codes.length > 0 ? `{ error.code: ${codes.map((c) => esc(JSON.stringify(c))).join(' | ')} }` : renderSchema(part, depth, anchor);
    });
    return parts.join(' &amp; ');
  }
  for (const key of ['anyOf', 'oneOf'] as const) if (Array.isArray(s[key])) return s[key].map((part) => renderSchema(part, depth, anchor)).join(' | ');
  if (Array.isArray(s.enum)) return s.enum.map((v) => `<span class="l">${esc(JSON.stringify(v))}</span>`).join(' | ');
  if (s.const !== undefined) return `<span class="l">${esc(JSON.stringify(s.const))}</span>`;
  const types = Array.isArray(s.type) ? s.type.map(String) : typeof s.type === 'string' ? [s.type] : [];
  const rendered = types.filter((t) => t !== 'null').map((type) => {
    if (type === 'array') {
      const items = renderSchema(s.items, depth, anchor);
      return `${items.includes(' | ') ? `(${items})` : items}[]${constraints(s)}`;
    }
    if (type === 'object') return renderObject(s, depth, pad, end, anchor);
    return `${esc(type)}${constraints(s)}`;
  });
  if (types.includes('null')) rendered.push('null');
  if (rendered.length === 0) return Object.keys(s).length === 0 ? 'any' : renderObject(s, depth, pad, end, anchor);
  return rendered.join(' | ');
}

function renderObject(s: Schema, depth: number, pad: string, end: string, anchor: string): string {
  const props = obj(s.properties);
  const required = new Set(list(s.required).map(String));
  const lines = Object.entries(props).map(([name, prop]) => {
    const description = str(obj(prop).description);
    const note = description ? ` <span class="c">// ${esc(description)}</span>` : '';
    return `${pad}${esc(name)}${required.has(name) ? '' : '?'}: ${renderSchema(prop, depth + 1, anchor)}${note}`;
  });
  const extra = s.additionalProperties;
  if (extra !== undefined && extra !== false) {
    const keyEnum = list(obj(s.propertyNames).enum);
    const key = keyEnum.length > 0 ? keyEnum.map((k) => esc(JSON.stringify(k))).join(' | ') : 'string';
    lines.push(`${pad}[key: ${key}]: ${extra === true ? 'any' : renderSchema(extra, depth + 1, anchor)}`);
  }
  return lines.length === 0 ? '{}' : `{\n${lines.join('\n')}\n${end}}`;
}

/**
 * A route's or event's own schema: a top-level `$ref` is expanded once (`Name = {...}`)
 * so every request, response and payload reads in place; nested names stay links.
 */
function schemaBlock(schema: unknown, anchor = 'schema-', components: JsonObject = {}): string {
  const ref = str(obj(schema).$ref);
  const target = ref ? obj(components[refName(ref)]) : {};
  if (ref && Object.keys(target).length > 0) return `<pre>${renderSchema(schema, 0, anchor)} = ${renderSchema(target, 0, anchor)}</pre>`;
  return `<pre>${renderSchema(schema, 0, anchor)}</pre>`;
}

function partyLine(party: unknown, tags: JsonObject[]): string {
  const tag = tags.find((t) => t.name === party);
  return `<p class="who"><b>Who:</b> ${esc(str(tag?.description) || str(party))}</p>`;
}

function renderOperation(path: string, method: string, op: JsonObject, tags: JsonObject[], components: JsonObject): string {
  const id = str(op.operationId);
  const params = list(op.parameters).map(obj);
  const out: string[] = [
    `<section class="op" id="op-${esc(id)}">`,
    `<h3><span class="m m-${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></h3>`,
    `<p>${esc(str(op.summary))}</p>`,
  ];
  if (op.description) out.push(`<p class="d">${esc(str(op.description))}</p>`);
  out.push(partyLine(op['x-party'], tags));
  if (params.length > 0) {
    out.push('<h4>Parameters</h4><table><tr><th>name</th><th>in</th><th>required</th><th>schema</th></tr>');
    for (const p of params) {
      out.push(`<tr><td><code>${esc(str(p.name))}</code></td><td>${esc(str(p.in))}</td><td>${p.required ? 'yes' : 'no'}</td><td><pre>${renderSchema(p.schema)}</pre>${p.description ? `<span class="c">${esc(str(p.description))}</span>` : ''}</td></tr>`);
    }
    out.push('</table>');
  }
  const body = obj(op.requestBody);
  const bodyContent = obj(body.content);
  if (Object.keys(bodyContent).length > 0) {
    const first = obj(Object.values(bodyContent)[0]);
    out.push(`<h4>Request body <span class="c">(${esc(Object.keys(bodyContent).join(', '))})</span></h4>${schemaBlock(first.schema, 'schema-', components)}`);
  }
  const responses = obj(op.responses);
  const errors: string[] = [];
  for (const [status, raw] of Object.entries(responses)) {
    const response = obj(raw);
    const content = obj(response.content);
    const [type, media] = Object.entries(content)[0] ?? ['', {}];
    const codes = list(response['x-error-codes']).map(String);
    if (Number(status) < 400) {
      out.push(`<h4>Response ${esc(status)} <span class="c">(${esc(type)})</span></h4>${schemaBlock(obj(media).schema, 'schema-', components)}`);
    } else {
      const special = codes.length > 0 && obj(obj(media).schema).$ref !== undefined ? ` — body: ${renderSchema(obj(media).schema)}` : '';
      errors.push(`<tr><td>${esc(status)}</td><td>${codes.map((c) => `<code>${esc(c)}</code>`).join(' ')}</td><td>${esc(str(response.description))}${special}</td></tr>`);
    }
  }
  if (errors.length > 0) out.push(`<h4>Errors</h4><table><tr><th>status</th><th>codes</th><th>meaning</th></tr>${errors.join('')}</table>`);
  out.push('</section>');
  return out.join('\n');
}

function messageOf(doc: JsonObject, ref: unknown): JsonObject {
  const path = str(obj(ref).$ref).replace(/^#\//, '').split('/');
  let node: unknown = doc;
  for (const part of path) node = obj(node)[part];
  return obj(node);
}

function renderEvent(doc: JsonObject, opId: string, op: JsonObject): string {
  const components = obj(obj(doc.components).schemas);
  const message = messageOf(doc, list(op.messages)[0]);
  const name = str(message.name);
  const out = [`<section class="op" id="ev-${esc(opId)}">`, `<h3><code>${esc(name)}</code></h3>`, `<p>${esc(str(op.summary))}</p>`, `<h4>Payload</h4>${schemaBlock(message.payload, ASYNC, components)}`];
  const reply = obj(op.reply);
  if (list(reply.messages).length > 0) {
    const [ok] = list(reply.messages).map((m) => messageOf(doc, m));
    out.push(`<h4>Ack</h4>${schemaBlock(obj(ok).payload, ASYNC, components)}`);
    out.push(`<p><b>Refusal ack</b> <code>{ok: false, error: {code, message}}</code>, codes: ${list(op['x-error-codes']).map((c) => `<code>${esc(String(c))}</code>`).join(' ')}</p>`);
  }
  out.push('</section>');
  return out.join('\n');
}

/** Anchor prefix of the AsyncAPI document's schemas (names may repeat the REST ones). */
const ASYNC = 'socket-schema-';

const STYLE = `
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d232a;background:#fafafa}
main{max-width:1040px;margin:0 auto;padding:1.5rem}
nav{columns:2;font-size:.9rem}nav a{display:block}
h1{margin-top:0}h2{border-bottom:2px solid #ccd;padding-bottom:.3rem;margin-top:2.5rem}
section.op{background:#fff;border:1px solid #dde;border-radius:6px;padding:.5rem 1rem;margin:1rem 0}
h3{margin:.4rem 0}h4{margin:.8rem 0 .3rem}
pre{background:#f3f4f8;padding:.5rem .7rem;overflow-x:auto;font-size:13px;margin:.2rem 0;white-space:pre}
table{border-collapse:collapse;width:100%;font-size:.9rem}td,th{border:1px solid #dde;padding:.25rem .5rem;text-align:left;vertical-align:top}
td pre{margin:0;padding:.2rem .4rem}
.m{display:inline-block;min-width:4.2em;text-align:center;border-radius:4px;color:#fff;font-size:.8rem;padding:.1rem .3rem;background:#555}
.m-get{background:#2b6cb0}.m-post{background:#2f855a}.m-patch{background:#b7791f}.m-delete{background:#c53030}.m-put{background:#6b46c1}
.c{color:#667;font-weight:normal}.l{color:#8a3b12}.who{margin:.2rem 0}.d{color:#333}
`;

/** The whole page. */
export function renderDocsPage(openapi: JsonObject, asyncapi: JsonObject): string {
  const info = obj(openapi.info);
  const tags = list(openapi.tags).map(obj);
  const paths = obj(openapi.paths);
  const rest: string[] = [];
  const toc: string[] = [];
  for (const [path, item] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(obj(item))) {
      rest.push(renderOperation(path, method, obj(op), tags, obj(obj(openapi.components).schemas)));
      toc.push(`<a href="#op-${esc(str(obj(op).operationId))}">${esc(method.toUpperCase())} ${esc(path)}</a>`);
    }
  }
  const sockets: string[] = [];
  const socketToc: string[] = [];
  const operations = Object.entries(obj(asyncapi.operations)).map(([id, op]) => [id, obj(op)] as const);
  for (const [channelId, raw] of Object.entries(obj(asyncapi.channels))) {
    const channel = obj(raw);
    const mine = operations.filter(([, op]) => str(obj(op.channel).$ref) === `#/channels/${channelId}`);
    sockets.push(
      `<h2 id="ns-${esc(channelId)}">Namespace <code>${esc(str(channel.address))}</code></h2>`,
      `<p>${esc(str(channel.summary))}</p><p>${esc(str(channel.description))}</p>`,
      `<h4>Handshake <code>auth</code></h4>${schemaBlock(channel['x-handshake-auth'], ASYNC)}`,
      `<h3>Client → server (acked)</h3>`,
      ...mine.filter(([, op]) => op.action === 'receive').map(([id, op]) => renderEvent(asyncapi, id, op)),
      `<h3>Server → client</h3>`,
      ...mine.filter(([, op]) => op.action === 'send').map(([id, op]) => renderEvent(asyncapi, id, op)),
    );
    socketToc.push(`<a href="#ns-${esc(channelId)}">${esc(str(channel.address))} (${mine.length} events)</a>`);
  }
  const schemas = (doc: JsonObject, title: string, anchor: string) =>
    Object.entries(obj(obj(doc.components).schemas))
      .map(([name, schema]) => `<section class="op" id="${anchor}${esc(name)}"><h3>${esc(name)} <span class="c">${title}</span></h3>${schemaBlock(schema, anchor)}</section>`)
      .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(str(info.title))} — API reference</title><style>${STYLE}</style></head>
<body><main>
<h1>Candor API reference <span class="c">v${esc(str(info.version))}</span></h1>
<p>${esc(str(info.description))}</p>
<p>Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI ${esc(str(openapi.openapi))}) · <a href="/api/asyncapi.json">/api/asyncapi.json</a> (AsyncAPI ${esc(str(asyncapi.asyncapi))})</p>
<h2>Contents</h2><nav>${toc.join('')}${socketToc.join('')}<a href="#schemas">Schemas</a></nav>
<h2>REST</h2>
${rest.join('\n')}
${sockets.join('\n')}
<h2 id="schemas">Schemas</h2>
<p>REST schemas are JSON Schema 2020-12; socket payloads draft-07 (AsyncAPI). Names ending in Input are what a request may send where it differs from what the server answers.</p>
${schemas(openapi, 'REST', 'schema-')}
${schemas(asyncapi, 'socket', ASYNC)}
</main></body></html>
`;
}
