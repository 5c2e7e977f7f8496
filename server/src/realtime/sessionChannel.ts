import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Namespace, Server } from 'socket.io';
import type { Logger } from '../observability/logger.js';
import { sessionRoom, watchRoom } from './rooms.js';

/** Who receives a session event: the candidate's room and the watchers (`both`), or the watchers only. */
export type Audience = 'both' | 'watchers' | 'candidate';

const AUDIENCE_CODE: Record<Audience, string> = { both: 'b', watchers: 'w', candidate: 'c' };

/**
 * Delivers one session's events to the sockets of that session on THIS node: the
 * candidate room on /interview and the watch room on /monitor. `.local` keeps the
 * socket.io adapter out of it (the cross-node leg is the session channel below).
 */
export function deliverLocally(io: Server, clientSessionId: string, audience: Audience, event: string, payload: unknown): void {
  if (audience !== 'watchers') emitIfJoined(io.of('/interview'), sessionRoom(clientSessionId), event, payload);
  if (audience !== 'candidate') emitIfJoined(io.of('/monitor'), watchRoom(clientSessionId), event, payload);
}

/** socket.io encodes a broadcast before it looks for recipients: a room no socket of this node is in costs nothing here. */
function emitIfJoined(nsp: Namespace, room: string, event: string, payload: unknown): void {
  if (nsp.adapter.rooms.has(room)) nsp.local.to(room).emit(event, payload);
}

export interface SessionChannelDeps {
  io: Server;
  /** Publishes (the connection in-flight text is written on, so a token's RPUSH precedes its PUBLISH). */
  pub: Redis;
  /** The subscriber connection (shared with the socket.io adapter's subscriptions). */
  sub: Redis;
  prefix: string;
  logger: Logger;
  onDrop?: () => void;
}

/**
 * The cross-node leg of session events, on Redis pub/sub: ONE publish per event on the
 * session's channel `<prefix>:s:<clientSessionId>`, relayed by every other node to its own
 * sockets of that session, in both namespaces at once.
 *
 * Why not the socket.io Redis adapter for these (docs/performance.md, "multinode"): the
 * adapter publishes once per namespace (two messages per token), msgpack-encodes each, and
 * every node decodes its own messages before recognising them. Here a node skips its own
 * messages by a prefix compare, skips sessions it has no sockets for by the channel name —
 * neither is parsed — and the payload is JSON that socket.io encodes once per namespace.
 * The adapter still carries everything else (the live list, recruiter disconnects).
 *
 * Ordering: one publisher connection per node, so a node's events of a session arrive in
 * the order it published them; in-flight text is RPUSHed on the same connection before its
 * token's PUBLISH (RedisInflightStore), which keeps a cross-node snapshot gap-free.
 */
export class SessionChannel {
  private readonly origin = `${randomBytes(6).toString('base64url')}|`;
  private readonly channelPrefix: string;
  private readonly pattern: string;
  private readonly onMessage: (pattern: string, channel: string, message: string) => void;

  constructor(private readonly deps: SessionChannelDeps) {
    this.channelPrefix = `${deps.prefix}:s:`;
    this.pattern = `${this.channelPrefix}*`;
    this.onMessage = (pattern, channel, message) => {
      if (pattern === this.pattern) this.relay(channel, message);
    };
    deps.sub.on('pmessage', this.onMessage);
    deps.sub.psubscribe(this.pattern).catch((err: unknown) => deps.logger.warn('session channel subscription failed', { err }));
  }

  publish(clientSessionId: string, audience: Audience, event: string, payload: unknown): void {
    const message = `${this.origin}${AUDIENCE_CODE[audience]}${JSON.stringify([event, payload])}`;
    this.deps.pub.publish(`${this.channelPrefix}${clientSessionId}`, message).catch(() => this.deps.onDrop?.());
  }

  close(): void {
    this.deps.sub.off('pmessage', this.onMessage);
    this.deps.sub.punsubscribe(this.pattern).catch(() => undefined);
  }

  private relay(channel: string, message: string): void {
    if (message.startsWith(this.origin)) return;
    const csid = channel.slice(this.channelPrefix.length);
    const code = message.charCodeAt(this.origin.length);
    const audience: Audience = code === 98 /* b */ ? 'both' : code === 99 /* c */ ? 'candidate' : 'watchers';
    const { io } = this.deps;
    const here =
      (audience !== 'candidate' && io.of('/monitor').adapter.rooms.has(watchRoom(csid))) ||
      (audience !== 'watchers' && io.of('/interview').adapter.rooms.has(sessionRoom(csid)));
    if (!here) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(message.slice(this.origin.length + 1));
    } catch {
      return;
    }
    if (!Array.isArray(parsed) || typeof parsed[0] !== 'string') return;
    deliverLocally(io, csid, audience, parsed[0], parsed[1]);
  }
}
