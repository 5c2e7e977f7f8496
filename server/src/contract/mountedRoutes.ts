import type { Express } from 'express';

/** One route as express will match it: method and full path (express syntax), or the source of a RegExp path. */
export interface MountedRoute {
  method: string;
  path: string;
  regexp: boolean;
}

/** The parts of router 2.x's Layer and Route this walk reads (express 5's own router). */
interface Layer {
  route?: { path: unknown; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
  slash: boolean;
  rawPath?: unknown;
}

/**
 * Every route of an express 5 app as mounted, found by walking the router stack
 * (app.router.stack, nested routers included): the truth the API documents are
 * checked against. A router mounted at a path the walk cannot read (a RegExp,
 * an array) is an error, never silently skipped.
 */
export function mountedRoutes(app: Express): MountedRoute[] {
  const root = (app as unknown as { router?: { stack?: Layer[] } }).router;
  if (!root?.stack) throw new Error('not an express 5 app: app.router.stack is missing');
  return walk(root.stack, '');
}

function walk(stack: Layer[], prefix: string): MountedRoute[] {
  const found: MountedRoute[] = [];
  for (const layer of stack) {
    if (layer.route) {
      const path = layer.route.path;
      const methods = Object.keys(layer.route.methods).filter((m) => layer.route!.methods[m] && m !== '_all');
      for (const method of methods) {
        if (typeof path === 'string') found.push({ method: method.toUpperCase(), path: joinPath(prefix, path), regexp: false });
        else if (path instanceof RegExp) found.push({ method: method.toUpperCase(), path: `${prefix}${path.source}`, regexp: true });
        else throw new Error(`a route under "${prefix}" has a path the walk cannot read`);
      }
    } else if (Array.isArray(layer.handle.stack)) {
      if (layer.slash) found.push(...walk(layer.handle.stack, prefix));
      else if (typeof layer.rawPath === 'string') found.push(...walk(layer.handle.stack, joinPath(prefix, layer.rawPath)));
      else throw new Error(`a router under "${prefix}" is mounted at a path the walk cannot read`);
    }
  }
  return found;
}

function joinPath(prefix: string, path: string): string {
  const joined = `${prefix}/${path}`.replace(/\/+/g, '/');
  return joined.length > 1 ? joined.replace(/\/$/, '') : joined;
}
