import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPublicAddress, TargetGuard, TargetRefused, type Resolver } from '../../src/webhooksOut/ssrf.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { WebhookReceiver } from '../support/webhookReceiver.js';
import { ADMIN, FAST_WEBHOOKS, call, completedInterview, deliveriesOf, eventually, registerEndpoint } from './helpers.js';

const WITHOUT_FLAG = { ...FAST_WEBHOOKS, WEBHOOK_ALLOW_PRIVATE_TARGETS: 'false' };

describe('which addresses may receive webhooks', () => {
  it('refuses loopback, private, link-local, CGNAT, unspecified, multicast, metadata and reserved addresses in every spelling', () => {
    const refused = [
      '127.0.0.1',
      '127.255.0.9',
      '2130706433', // 127.0.0.1 as one decimal number
      '0177.0.0.1', // octal
      '0x7f.0.0.1', // hex
      '127.1', // short form
      '10.0.0.1',
      '172.16.5.4',
      '192.168.1.1',
      '169.254.169.254', // cloud metadata (link-local)
      '100.64.0.1', // CGNAT
      '100.100.100.200', // a cloud metadata address inside CGNAT
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '198.18.0.1',
      '192.0.2.10',
      '::1',
      '::',
      '::ffff:127.0.0.1', // IPv4-mapped IPv6
      '::ffff:7f00:1',
      '::ffff:10.0.0.1',
      'fd00:ec2::254', // AWS metadata over IPv6 (RFC 4193)
      'fc00::1',
      'fe80::1',
      'ff02::1',
      '64:ff9b::a00:1', // NAT64 of 10.0.0.1
      '2002:a00:1::', // 6to4 of 10.0.0.1
    ];
    for (const ip of refused) expect({ ip, public: isPublicAddress(ip) }).toEqual({ ip, public: false });
    for (const ip of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8']) expect({ ip, public: isPublicAddress(ip) }).toEqual({ ip, public: true });
  });

  it('refuses a host name when any of its addresses is private, and answers with the address it checked', async () => {
    const resolve: Resolver = async (host) =>
      host === 'mixed.test' ? [{ address: '93.184.216.34', family: 4 }, { address: '10.1.2.3', family: 4 }] : [{ address: '93.184.216.34', family: 4 }];
    const guard = new TargetGuard({ allowPrivate: false, resolve });
    await expect(guard.check('https://mixed.test/hook')).rejects.toThrow(/10\.1\.2\.3/);
    await expect(guard.check('https://ats.test/hook')).resolves.toMatchObject({ address: '93.184.216.34', family: 4 });
    const failing = new TargetGuard({ allowPrivate: false, resolve: async () => Promise.reject(new Error('ENOTFOUND')) });
    await expect(failing.check('https://nowhere.test/')).rejects.toSatisfy((e) => e instanceof TargetRefused && e.reason === 'dns');
    // localhost is resolved by the system resolver (hosts file), not trusted by name.
    await expect(new TargetGuard({ allowPrivate: false }).check('http://localhost:1/')).rejects.toSatisfy((e) => e instanceof TargetRefused && e.reason === 'not_allowed');
  });
});

describe('without WEBHOOK_ALLOW_PRIVATE_TARGETS', () => {
  let server: TestServer;
  let receiver: WebhookReceiver;
  let lookups = 0;
  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    // ats.rebind.test resolves to a public address once (registration), then to loopback (delivery): DNS rebinding.
    const resolve: Resolver = async (host) => {
      if (host === 'ats.rebind.test') return (lookups++ === 0 ? [{ address: '93.184.216.34', family: 4 }] : [{ address: '127.0.0.1', family: 4 }]);
      if (host === 'localhost') return [{ address: '127.0.0.1', family: 4 }];
      throw new Error('ENOTFOUND');
    };
    server = await startTestServer(WITHOUT_FLAG, { webhooksOut: { resolve } });
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  it('refuses to register http://127.0.0.1, http://10.0.0.1, http://169.254.169.254, http://[::1], localhost and their disguises', async () => {
    const urls = [
      'http://127.0.0.1/hook',
      'http://10.0.0.1/hook',
      'http://169.254.169.254/latest/meta-data/',
      'http://[::1]/hook',
      'http://localhost:8080/hook',
      'http://2130706433/hook',
      'http://0177.0.0.1/hook',
      'http://[::ffff:127.0.0.1]/hook',
      'http://[fd00:ec2::254]/',
      'http://100.64.1.1/',
    ];
    for (const url of urls) {
      const res = await call<{ error: { code: string; details: Array<{ path: string }> } }>(server.url, 'POST', '/api/webhook-endpoints', { url, events: ['interview.completed'] });
      expect({ url, status: res.status, code: res.body.error.code, path: res.body.error.details[0]?.path }).toEqual({ url, status: 400, code: 'VALIDATION', path: 'url' });
    }
    expect((await call<{ items: unknown[] }>(server.url, 'GET', '/api/webhook-endpoints')).body.items).toHaveLength(0);
    // PATCH checks the new URL too.
    const ok = await registerEndpoint(server.url, 'https://ats.rebind.test/hook', ['voice.orphaned'], { enabled: false });
    expect((await call(server.url, 'PATCH', `/api/webhook-endpoints/${ok.id}`, { url: 'http://192.168.0.10/' })).status).toBe(400);
    await call(server.url, 'DELETE', `/api/webhook-endpoints/${ok.id}`);
    lookups = 0;
  });

  it('checks again at delivery: a name that now resolves to 127.0.0.1 (DNS rebinding) gets no request, the attempt is logged as ssrf_refused', async () => {
    lookups = 0;
    const endpoint = await registerEndpoint(server.url, `http://ats.rebind.test:${new URL(receiver.url).port}/hook`, ['interview.completed']);
    await completedInterview(server.url);
    const [delivery] = await eventually(() => deliveriesOf(server.url, endpoint.id), (d) => (d[0]?.attempts.length ?? 0) >= 2, 10_000, 'refused attempts');
    expect(delivery!.attempts.slice(0, 2).map((a) => [a.error, a.statusCode])).toEqual([
      ['ssrf_refused', null],
      ['ssrf_refused', null],
    ]);
    expect(receiver.received).toHaveLength(0);
    await call(server.url, 'DELETE', `/api/webhook-endpoints/${endpoint.id}`);
  });

  it('an endpoint stored with a loopback URL (registered before the guard, or by hand) is refused at delivery', async () => {
    const { WebhookEndpoint } = (await import('../../src/db/models/index.js')).createModels(server.connection);
    const now = new Date();
    const doc = await WebhookEndpoint.insertOne({
      url: receiver.url,
      events: ['interview.completed'],
      enabled: true,
      secrets: [{ value: `whsec_${Buffer.alloc(32, 7).toString('base64')}`, createdAt: now }],
      createdAt: now,
      updatedAt: now,
    });
    await completedInterview(server.url);
    const [delivery] = await eventually(() => deliveriesOf(server.url, doc._id.toHexString()), (d) => (d[0]?.attempts.length ?? 0) >= 1);
    expect(delivery!.attempts[0]).toMatchObject({ error: 'ssrf_refused', statusCode: null });
    expect(receiver.received).toHaveLength(0);
    expect(ADMIN).toBeTruthy();
  });
});

describe('with WEBHOOK_ALLOW_PRIVATE_TARGETS=true', () => {
  it('connects to the address it checked: a name only the guard can resolve reaches the receiver with its own Host header', async () => {
    const receiver = await WebhookReceiver.start();
    const resolve: Resolver = async (host) => {
      if (host === 'receiver.pinned.test') return [{ address: '127.0.0.1', family: 4 }];
      throw new Error('ENOTFOUND');
    };
    const server = await startTestServer(FAST_WEBHOOKS, { webhooksOut: { resolve } });
    try {
      const port = new URL(receiver.url).port;
      const endpoint = await registerEndpoint(server.url, `http://receiver.pinned.test:${port}/in`, ['interview.completed']);
      receiver.secrets = [endpoint.secret];
      await completedInterview(server.url);
      await receiver.until((r) => r.verified.length === 1, 10_000, 'a delivery through the pinned address');
      expect(receiver.received[0]!.host).toBe(`receiver.pinned.test:${port}`);
    } finally {
      await server.close();
      await receiver.close();
    }
  });
});
