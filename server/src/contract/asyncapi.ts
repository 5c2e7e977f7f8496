import { PARTY_DESCRIPTIONS, type NamespaceSpec } from '../../../shared/contract.js';
import { ackErrorSchema, type ErrorCode } from '../../../shared/errors.js';
import { SOCKET_NAMESPACES } from '../../../shared/sockets.js';
import { ComponentSet, inlineSchema, type JsonObject } from './components.js';
import { CONTRACT_VERSION } from './openapi.js';

/** `answer:submit` -> `answerSubmit`, `voice:conversation-id` -> `voiceConversationId` (AsyncAPI keys allow no colons). */
export function messageKey(event: string): string {
  return event.replace(/[^A-Za-z0-9]+([A-Za-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

const ACK_ERROR = 'ackError';

/**
 * The AsyncAPI 3 document of the socket catalogue (shared/sockets.ts): one channel
 * per namespace, one message per event (its `name` is the socket.io event name),
 * and one operation per event from the server's point of view: `receive` for what
 * clients emit (its `reply` is the ack: the success shape or `{ok: false, error}`),
 * `send` for what the server emits. Payloads are JSON Schema draft-07, the
 * dialect AsyncAPI schemas build on.
 */
export function buildAsyncApi(namespaces: Record<string, NamespaceSpec> = SOCKET_NAMESPACES): JsonObject {
  const components = new ComponentSet('draft-07');
  const channels: Record<string, JsonObject> = {};
  const operations: Record<string, JsonObject> = {};

  for (const [channel, ns] of Object.entries(namespaces)) {
    const messages: Record<string, JsonObject> = {};
    const channelRef = { $ref: `#/channels/${channel}` };
    const messageRef = (key: string) => ({ $ref: `#/channels/${channel}/messages/${key}` });
    messages[ACK_ERROR] = {
      name: 'ack',
      title: 'Refusal ack',
      summary: 'The ack of any client event that was refused: {ok: false, error: {code, message}}',
      payload: components.ref(ackErrorSchema, 'AckError', 'output'),
    };

    for (const [event, spec] of Object.entries(ns.clientEvents)) {
      const key = messageKey(event);
      messages[key] = { name: event, title: event, summary: spec.summary, payload: components.ref(spec.payload, `${pascal(channel)}${pascal(key)}Payload`, 'input') };
      messages[`${key}Ack`] = { name: 'ack', title: `${event} ack`, summary: `The ack of ${event} when it succeeded`, payload: components.ref(spec.ack, `${pascal(channel)}${pascal(key)}Ack`, 'output') };
      const errors: ErrorCode[] = [...new Set<ErrorCode>(['VALIDATION', ...spec.errors, 'INTERNAL'])];
      operations[`${channel}.${key}`] = {
        action: 'receive',
        channel: channelRef,
        title: event,
        summary: spec.summary,
        messages: [messageRef(key)],
        reply: { channel: channelRef, messages: [messageRef(`${key}Ack`), messageRef(ACK_ERROR)] },
        'x-party': ns.auth,
        'x-error-codes': errors,
      };
    }
    for (const [event, spec] of Object.entries(ns.serverEvents)) {
      const key = messageKey(event);
      if (key in messages) throw new Error(`${ns.path}: event ${event} is both sent and received`);
      messages[key] = { name: event, title: event, summary: spec.summary, payload: components.ref(spec.payload, `${pascal(channel)}${pascal(key)}Payload`, 'output') };
      operations[`${channel}.${key}`] = { action: 'send', channel: channelRef, title: event, summary: spec.summary, messages: [messageRef(key)] };
    }

    channels[channel] = {
      address: ns.path,
      title: ns.path,
      summary: ns.summary,
      description: `Connect with socket.io to the namespace ${ns.path} with the handshake auth object below. Who: ${PARTY_DESCRIPTIONS[ns.auth]}. A refused handshake is a connect_error whose data is {code, message} (${ns.connectErrors.join(', ')}).${ns.refusedEvents ? ` Another party's events (${ns.refusedEvents.join(', ')}) are acked {ok: false, error: {code: FORBIDDEN}}.` : ''}`,
      messages,
      'x-party': ns.auth,
      'x-handshake-auth': inlineSchema(ns.handshake, 'draft-07', 'input'),
      'x-connect-error-codes': ns.connectErrors,
      ...(ns.refusedEvents ? { 'x-refused-events': ns.refusedEvents } : {}),
    };
  }

  return {
    asyncapi: '3.1.0',
    info: {
      title: 'Candor socket.io API',
      version: CONTRACT_VERSION,
      description:
        'Socket.IO v4 namespaces of a Candor server. Every client event is acked: the ack is the reply message of its operation. Generated from the event maps in ./shared (docs/api.md); the REST side is /api/openapi.json.',
      license: { name: 'MIT' },
    },
    defaultContentType: 'application/json',
    servers: {
      candor: {
        host: 'localhost:3000',
        pathname: '/socket.io',
        protocol: 'ws',
        title: 'this server',
        description: 'socket.io (engine.io protocol 4) over WebSocket, or HTTP long-polling first; the host is the one serving this document',
      },
    },
    channels,
    operations,
    components: { schemas: components.build() },
  };
}
