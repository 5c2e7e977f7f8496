import type { Namespace, Socket } from 'socket.io';
import { connectError } from './events.js';

/**
 * Live socket.io connections per client address, across namespaces, with a cap
 * (SOCKET_MAX_CONNECTIONS_PER_IP). Registered as a namespace's LAST middleware,
 * so it counts only sockets that authenticated; over the cap the handshake fails
 * with connect_error `{code: 'RATE_LIMITED'}`. A slot is freed when its socket
 * disconnects, or when the transport closes before the socket ever connected.
 */
export class ConnectionLimiter {
  private readonly live = new Map<string, number>();

  constructor(
    private readonly max: number,
    private readonly trustProxy: boolean,
    private readonly onRefused: () => void = () => undefined,
  ) {}

  count(address: string): number {
    return this.live.get(address) ?? 0;
  }

  attach(nsp: Namespace): void {
    if (this.max <= 0) return;
    nsp.use((socket, next) => {
      const address = clientAddress(socket, this.trustProxy);
      const current = this.count(address);
      if (current >= this.max) {
        this.onRefused();
        next(connectError('RATE_LIMITED', `Too many connections from this address (max ${this.max})`));
        return;
      }
      this.live.set(address, current + 1);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        const left = this.count(address) - 1;
        if (left > 0) this.live.set(address, left);
        else this.live.delete(address);
      };
      socket.once('disconnect', release);
      socket.conn.once('close', release);
      next();
    });
  }
}

/**
 * The peer address, or with TRUST_PROXY the address our single trusted proxy saw:
 * the LAST X-Forwarded-For entry (the one nginx appended). Entries before it are
 * whatever the client sent and are never trusted. Same rule as express's
 * `trust proxy = 1` for REST.
 */
export function clientAddress(socket: Pick<Socket, 'handshake'>, trustProxy: boolean): string {
  if (trustProxy) {
    const header = socket.handshake.headers['x-forwarded-for'];
    const raw = Array.isArray(header) ? header.join(',') : header;
    const last = raw?.split(',').map((s) => s.trim()).filter(Boolean).pop();
    if (last) return last;
  }
  return socket.handshake.address;
}
