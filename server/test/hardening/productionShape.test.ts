import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config.js';

/**
 * docker-compose.yml, deploy/nginx.conf and the Dockerfile cannot run here (no Docker
 * engine), so this checks what can be checked: the compose topology parses and is the
 * one docs/operations.md describes, its environment is a configuration Candor accepts
 * in production, nginx accepts its config (`nginx -t`, when nginx is installed), and
 * the image runs as a non-root user with a health check. The same topology as plain
 * processes (2 servers + Redis + one store) runs in server/test/monitor/multiNode.test.ts.
 */

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const read = (file: string) => fs.readFileSync(path.join(repoRoot, file), 'utf8');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  ports?: string[];
  healthcheck?: { test: string[] };
  restart?: string;
}
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
const replicas = Object.entries(services).filter(([, s]) => s.build !== undefined);

/** Compose's interpolation: `${X:?msg}` must come from the environment; `${X:-d}` defaults. */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?::([?-])([^}]*))?\}/g, (_m, name: string, op?: string, arg?: string) => {
    if (env[name] !== undefined) return env[name];
    if (op === '?') throw new Error(`${name} required: ${arg}`);
    return arg ?? '';
  });
}

describe('docker-compose.yml', () => {
  it('runs two Candor replicas from this image, a MongoDB replica set, Redis and a proxy with the checked-in config', () => {
    expect(replicas.map(([name]) => name).sort()).toEqual(['candor-1', 'candor-2']);
    const mongo = services['mongo']!;
    expect(mongo.image).toMatch(/^mongo:\d/);
    expect(mongo.command).toEqual(expect.arrayContaining(['--replSet', 'rs0']));
    const check = mongo.healthcheck!.test.join(' ');
    expect(check).toContain("rs.initiate({_id: 'rs0', members: [{_id: 0, host: 'mongo:27017'}]})");
    expect(check).toMatch(/isWritablePrimary\) quit\(1\)/); // healthy only with a primary
    expect(services['redis']!.image).toMatch(/^redis:\d/);
    expect(services['redis']!.healthcheck).toBeDefined();

    const proxy = services['proxy']!;
    expect(proxy.volumes).toContain('./deploy/nginx.conf:/etc/nginx/nginx.conf:ro');
    expect(proxy.ports?.length).toBeGreaterThan(0);
    expect(Object.keys(proxy.depends_on ?? {}).sort()).toEqual(['candor-1', 'candor-2']);

    const names = new Set<string>();
    for (const [, replica] of replicas) {
      expect(replica.restart).toBe('unless-stopped');
      expect(replica.depends_on).toEqual({ mongo: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
      const env = replica.environment!;
      expect(env['MONGODB_URI']).toMatch(/^mongodb:\/\/mongo:27017\/\w+\?replicaSet=rs0$/);
      expect(env['REDIS_URL']).toBe('redis://redis:6379');
      expect(env['TRUST_PROXY']).toBe('true');
      names.add(env['NODE_NAME']!);
      // Secrets come from the environment, required, never literal values in the file.
      expect(env['SESSION_SECRET']).toMatch(/^\$\{SESSION_SECRET:\?/);
      expect(env['RECRUITER_TOKEN']).toMatch(/^\$\{RECRUITER_TOKEN:\?/);
      for (const [key, value] of Object.entries(env)) if (/SECRET|TOKEN|KEY/.test(key)) expect(value).toMatch(/^\$\{/);
    }
    expect(names.size).toBe(2); // distinct NODE_NAMEs: a restarted replica takes over only its own leases
  });

  it('gives each replica an environment that Candor accepts with NODE_ENV=production, and refuses to interpolate without secrets', () => {
    const secrets = { SESSION_SECRET: 'Zq7vN2kLw9Xc4RbT1yHs8MfJ3pGd6AeU', RECRUITER_TOKEN: 'r8Kp2Wm5Qx9Lt4Vz' };
    for (const [, replica] of replicas) {
      const env = Object.fromEntries(Object.entries(replica.environment!).map(([k, v]) => [k, interpolate(String(v), secrets)]));
      const config = loadConfig({ ...env, DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'candor-compose-')) });
      expect(config).toMatchObject({ env: 'production', trustProxy: true, redisUrl: 'redis://redis:6379', generatedSecrets: [] });
      expect(() => interpolate(String(replica.environment!['SESSION_SECRET']), {})).toThrow(/SESSION_SECRET required/);
    }
  });
});

describe('deploy/nginx.conf', () => {
  const conf = read('deploy/nginx.conf');

  it('balances over exactly the compose replicas, sticky, with WebSocket upgrades and the headers Candor trusts', () => {
    const upstream = /upstream candor \{([^}]*)\}/.exec(conf)?.[1] ?? '';
    expect(upstream).toContain('ip_hash;');
    const servers = [...upstream.matchAll(/server ([\w.-]+):(\d+)/g)].map((m) => `${m[1]}:${m[2]}`);
    expect(servers.sort()).toEqual(replicas.map(([name]) => `${name}:3000`).sort());
    expect(read('Dockerfile')).toMatch(/PORT=3000/);
    expect(conf).toMatch(/proxy_set_header Upgrade \$http_upgrade;/);
    expect(conf).toMatch(/proxy_set_header Host \$http_host;/);
    expect(conf).toMatch(/proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;/);
    const bodyMb = Number(/client_max_body_size (\d+)m;/.exec(conf)?.[1]);
    expect(bodyMb * 1024 * 1024).toBeGreaterThan(loadConfig({}).voice.webhookMaxBytes); // webhooks up to WEBHOOK_MAX_BYTES pass the proxy
  });

  const nginx = ['/usr/sbin/nginx', '/usr/bin/nginx', '/usr/local/sbin/nginx'].find((p) => fs.existsSync(p));
  if (!nginx) console.info('nginx -t skipped: nginx is not installed (apt-get install -y nginx-light)');
  it.skipIf(!nginx)('passes `nginx -t` (upstream hosts mapped to 127.0.0.1)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'candor-nginx-'));
    const file = path.join(dir, 'nginx.conf');
    fs.writeFileSync(file, conf.replace(/server candor-\d+:/g, 'server 127.0.0.1:'));
    const result = spawnSync(nginx!, ['-t', '-p', dir, '-c', file, '-e', path.join(dir, 'error.log'), '-g', `pid ${path.join(dir, 'nginx.pid')};`], { encoding: 'utf8' });
    expect(result.stderr).toContain('syntax is ok');
    expect(result.stderr).toContain('test is successful');
    expect(result.status).toBe(0);
  });
});

describe('Dockerfile', () => {
  it('builds in stages and runs the compiled server as a non-root user with a health check and a writable DATA_DIR', () => {
    const dockerfile = read('Dockerfile');
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime.indexOf('USER node')).toBeLessThan(runtime.indexOf('CMD'));
    expect(runtime).toMatch(/^HEALTHCHECK .*\/healthz/m);
    expect(runtime).toMatch(/chown node:node \/app\/data/);
    expect(runtime).toMatch(/CMD \["node", "dist\/server\/src\/main\.js"\]/);
    expect(read('.dockerignore')).toMatch(/^node_modules$/m);
  });

  it('runs `npm run db:embedded` without devDependencies: compiled JS that the server build emits, no tsx', () => {
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string>; dependencies: Record<string, string> };
    expect(pkg.scripts['db:embedded']).toBe('node dist/server/src/db/embedded/cli.js');
    const build = JSON.parse(read('tsconfig.build.json')) as { include: string[]; compilerOptions: { outDir: string } };
    expect(build.compilerOptions.outDir).toBe('dist');
    expect(build.include).toContain('server/src');
    expect(fs.existsSync(path.join(repoRoot, 'server/src/db/embedded/cli.ts'))).toBe(true);
    // The runtime stage has the compiled dist, package.json (the script) and production node_modules only.
    const runtime = read('Dockerfile').slice(read('Dockerfile').lastIndexOf('\nFROM '));
    expect(runtime).toMatch(/COPY --from=build .*\/app\/dist \.\/dist/);
    expect(runtime).toMatch(/COPY --from=build .*\/app\/package\.json/);
    expect(read('Dockerfile')).toMatch(/npm prune --omit=dev/);
    expect(Object.keys(pkg.dependencies)).not.toContain('tsx');
  });
});
