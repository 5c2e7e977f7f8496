import { randomBytes } from 'node:crypto';
import os from 'node:os';

/**
 * Who holds a lease: `<name>#<boot>`. The name is stable across restarts of
 * the same server (NODE_NAME, or host:port when the port is fixed), the boot id
 * is new every start — so a restarted server recognises leases its dead
 * predecessor held. With a random port and no NODE_NAME the name is unique
 * per process and nothing is recognised (leases then simply expire).
 */
export interface NodeIdentity {
  name: string;
  id: string;
  /** True when `name` identifies this server across restarts. */
  stable: boolean;
}

export function nodeIdentity(opts: { nodeName: string | undefined; port: number }): NodeIdentity {
  const boot = randomBytes(4).toString('hex');
  if (opts.nodeName) return { name: opts.nodeName, id: `${opts.nodeName}#${boot}`, stable: true };
  if (opts.port !== 0) {
    const name = `${os.hostname()}:${opts.port}`;
    return { name, id: `${name}#${boot}`, stable: true };
  }
  const name = `${os.hostname()}:pid${process.pid}`;
  return { name, id: `${name}#${boot}`, stable: false };
}
