import type { Request, RequestHandler, Response, Router } from 'express';
import type { RouteParameters } from 'express-serve-static-core';
import type { Party, ResponseOf, RouteSpec } from '../../../shared/contract.js';

/** The middleware that admits each party (requireCandidate, requireRecruiter, ...). */
export type Guards = Partial<Record<Party, RequestHandler>>;

/** A route handler whose `res.json`/`res.send` only accepts the catalogue's response type. */
export type RouteHandler<S extends RouteSpec> = (req: Request<RouteParameters<S['path']>>, res: Response<ResponseOf<S>>) => unknown;

export interface MountOptions {
  /** Runs before the guard (body parsers a route needs before its party can be checked). */
  before?: RequestHandler[];
  /** Replaces the party's guard for this route (same party, credentials found elsewhere). */
  guard?: RequestHandler;
}

/** Parties checked by a guard; ElevenLabs' signature is verified by its handler (it needs the raw body). */
const GUARDED: readonly Party[] = ['candidate', 'recruiter', 'admin'];

/**
 * Mounts catalogue routes (shared/routes.ts) on a router that is itself mounted
 * at `mountPath`: the method, the path and the party's guard come from the
 * entry, never from the call site, so the documents and the server agree by
 * construction. `on(ROUTES.roles, handler)` or `on(ROUTES.endSession, {before, guard}, handler)`.
 */
export function routeMounter(router: Router, mountPath: '' | `/${string}`, guards: Guards = {}) {
  return function on<S extends RouteSpec>(spec: S, ...args: [RouteHandler<S>] | [MountOptions, RouteHandler<S>]): void {
    const [options, handler] = args.length === 1 ? [{}, args[0]] : args;
    if (!spec.path.startsWith(`${mountPath}/`)) throw new Error(`${spec.method} ${spec.path} cannot be mounted under "${mountPath}"`);
    const guard = options.guard ?? guards[spec.auth];
    if (!guard && GUARDED.includes(spec.auth)) throw new Error(`${spec.method} ${spec.path}: no guard for party "${spec.auth}"`);
    const chain: RequestHandler[] = [...(options.before ?? []), ...(guard ? [guard] : []), handler as unknown as RequestHandler];
    const method = spec.method.toLowerCase() as Lowercase<S['method']>;
    (router[method] as (path: string, ...handlers: RequestHandler[]) => Router)(spec.path.slice(mountPath.length), ...chain);
  };
}
