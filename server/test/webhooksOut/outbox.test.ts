import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interviewSchema } from '../../../shared/interview.js';
import { WEBHOOK_EVENT_TYPES, webhookDeliverySchema, webhookEndpointSchema, type WebhookEventType } from '../../../shared/webhooksOut.js';
import type { Repository } from '../../src/db/repository/index.js';
import { webhookDeliverySchema as deliveryMongoose } from '../../src/db/models/webhookDelivery.js';
import { webhookEndpointSchema as endpointMongoose } from '../../src/db/models/webhookEndpoint.js';
import { OutboxRelay } from '../../src/webhooksOut/relay.js';
import { captureLogs } from '../support/logCapture.js';
import { mongoosePaths, zodPaths } from '../support/schemaPaths.js';
import { startTestStore, testClock, WRITE_COMMANDS, type TestStore } from '../support/store.js';

const SECRET = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
const clock = testClock(new Date());
let store: TestStore;
let repo: Repository;

beforeAll(async () => {
  store = await startTestStore({ now: clock.now });
  repo = store.repo;
});
afterAll(async () => {
  await store?.stop();
});

function relay(over: Partial<Repository> = {}): OutboxRelay {
  return new OutboxRelay({
    repo: { ...repo, ...over } as Repository,
    logger: captureLogs().logger,
    leaseMs: 5_000,
    pollMs: 1_000,
    horizonMs: 60_000,
    baseUrl: () => 'https://candor.example',
    now: clock.now,
  });
}

async function raw(clientSessionId: string): Promise<Record<string, unknown>> {
  const doc = await store.conn.db!.collection('interviews').findOne({ clientSessionId });
  const { _id, ...rest } = doc!;
  return { id: _id.toHexString(), ...rest };
}

async function session(mode: 'text' | 'voice' = 'text'): Promise<string> {
  const id = randomUUID();
  await repo.createSession({ clientSessionId: id, mode, role: 'backend-engineer', candidateName: 'Ada' });
  return id;
}

const endpointsCreated: string[] = [];
async function endpoint(events: WebhookEventType[] = [...WEBHOOK_EVENT_TYPES]) {
  const e = await repo.webhooksOut.createEndpoint({ url: 'https://ats.example/hook', events: [...events], enabled: true, secret: SECRET });
  endpointsCreated.push(e.id);
  return e;
}

describe('the stored shapes', () => {
  it('webhook_endpoints and webhook_deliveries declare exactly the fields of their zod schemas', () => {
    expect(mongoosePaths(endpointMongoose).sort()).toEqual(zodPaths(webhookEndpointSchema).filter((p) => p !== 'id').sort());
    expect(mongoosePaths(deliveryMongoose).sort()).toEqual(zodPaths(webhookDeliverySchema).filter((p) => p !== 'id').sort());
    const keys = deliveryMongoose.indexes().map(([k, o]) => ({ k, unique: o['unique'] === true }));
    expect(keys).toContainEqual({ k: { eventId: 1, endpointId: 1 }, unique: true });
    expect(keys).toContainEqual({ k: { clientSessionId: 1 }, unique: false });
  });
});

describe('the outbox: an event is written with the state change that causes it', () => {
  it('ending an interview is ONE write that sets the status and records interview.completed; a repeat records nothing', async () => {
    const id = await session();
    const { result, commands } = await store.commandsDuring(() =>
      repo.transition(id, { from: ['created', 'active', 'paused'], to: 'completed', set: { endedBy: 'user', endedAt: clock.now(), evaluation: { status: 'pending', attempts: 0 } } }),
    );
    expect(result.won).toBe(true);
    expect(commands.filter((c) => WRITE_COMMANDS.has(c.name))).toHaveLength(1);
    expect(result.session?.outbox).toEqual([{ eventId: expect.any(String), type: 'interview.completed', at: clock.now(), status: 'completed' }]);
    // A caller that lists the target among the from-states changes nothing a second time.
    const again = await repo.transition(id, { from: ['active', 'completed'], to: 'completed' });
    expect(again.won).toBe(false);
    expect((await repo.findByClientSessionId(id))?.outbox).toHaveLength(1);
    // Pause/resume-like transitions record nothing.
    const other = await session();
    await repo.transition(other, { from: ['created'], to: 'active' });
    expect((await repo.findByClientSessionId(other))?.outbox).toBeUndefined();
    expect(interviewSchema.safeParse(await raw(id)).error?.issues ?? []).toEqual([]);
  });

  it('the evaluation completes once, with evaluation.ready; a late second result records nothing', async () => {
    const id = await session();
    await repo.recordEvaluation(id, { status: 'pending' });
    const result = { overall: 7, summary: 's', strengths: [], concerns: [], competencies: [] };
    expect((await repo.recordEvaluation(id, { status: 'complete', result })).won).toBe(true);
    expect((await repo.recordEvaluation(id, { status: 'complete', result })).won).toBe(false);
    expect((await repo.findByClientSessionId(id))?.outbox?.map((e) => e.type)).toEqual(['evaluation.ready']);
  });

  it('a linked voice transcript records voice.linked and interview.completed; an orphan and a missing transcript record theirs', async () => {
    const id = await session('voice');
    const transcript = { conversationId: 'conv_outbox_1', receivedAt: clock.now(), lines: [{ role: 'agent' as const, text: 'hi' }] };
    const linked = await repo.linkVoiceTranscript(id, { conversationId: 'conv_outbox_1', linkedBy: 'dynamic_variable', transcript, expect: 'absent_or_same', setConversationId: true });
    expect(linked.outcome).toBe('linked');
    expect((await repo.findByClientSessionId(id))?.outbox?.map((e) => [e.type, e.status])).toEqual([
      ['voice.linked', 'completed'],
      ['interview.completed', 'completed'],
    ]);

    const orphanId = randomUUID();
    const orphan = await repo.createOrphan({ clientSessionId: orphanId, role: 'backend-engineer', conversationId: 'conv_outbox_2', transcript: { ...transcript, conversationId: 'conv_outbox_2' }, candidates: [] });
    expect(orphan.outcome === 'created' && orphan.session.outbox?.map((e) => e.type)).toEqual(['voice.orphaned']);

    const pending = await session('voice');
    await repo.transition(pending, { from: ['created'], to: 'ended_pending_webhook', set: { endedBy: 'user', endedAt: clock.now() } });
    expect((await repo.markTranscriptMissing(pending)).won).toBe(true);
    expect((await repo.findByClientSessionId(pending))?.outbox?.map((e) => [e.type, e.status])).toEqual([['interview.abandoned', 'abandoned']]);
    expect(interviewSchema.safeParse(await raw(orphanId)).error?.issues ?? []).toEqual([]);
  });

  it('a merged orphan is not deleted while its voice.orphaned event waits in the outbox, and is once it was relayed', async () => {
    const orphanId = randomUUID();
    const transcript = { conversationId: 'conv_outbox_3', receivedAt: clock.now(), lines: [] };
    await repo.createOrphan({ clientSessionId: orphanId, role: 'backend-engineer', conversationId: 'conv_outbox_3', transcript, candidates: [] });
    expect(await repo.deleteOrphan(orphanId, 'conv_outbox_3')).toEqual({ deleted: false });
    expect(await relay().flush(orphanId)).toBe(true);
    expect(await repo.deleteOrphan(orphanId, 'conv_outbox_3')).toEqual({ deleted: true });
  });
});

describe('the relay', () => {
  it('copies each waiting event into one delivery per subscribed endpoint, then empties the outbox, without moving updatedAt', async () => {
    // Earlier tests' events have no endpoint yet: relaying them creates nothing and empties their outboxes.
    await relay().runOnce();
    const a = await endpoint(['interview.completed']);
    const b = await endpoint(['interview.completed', 'evaluation.ready']);
    const id = await session();
    await repo.transition(id, { from: ['created'], to: 'completed', set: { endedBy: 'user' } });
    const before = await repo.findByClientSessionId(id);
    clock.advance(10);
    expect(await relay().runOnce()).toBe(1);
    const after = await repo.findByClientSessionId(id);
    expect(after?.outbox).toEqual([]);
    expect(after?.outboxLeaseUntil).toBeUndefined();
    expect(after?.updatedAt).toEqual(before?.updatedAt);
    const deliveries = await repo.webhooksOut.findDeliveriesOfSession(id);
    expect(deliveries.map((d) => d.endpointId).sort()).toEqual([a.id, b.id].sort());
    expect(new Set(deliveries.map((d) => d.eventId)).size).toBe(1);
    for (const d of deliveries) {
      const { id: _id, ...stored } = d;
      expect(webhookDeliverySchema.safeParse({ id: _id, ...stored }).success).toBe(true);
      expect(d).toMatchObject({ state: 'pending', attemptCount: 0, type: 'interview.completed', clientSessionId: id, payload: { version: 'v1', data: { candidate: { name: 'Ada' } } } });
    }
  });

  it('a relay that dies after copying but before pulling copies nothing twice: the next relay finds the deliveries and empties the outbox', async () => {
    await endpoint(['interview.completed']);
    const id = await session();
    await repo.transition(id, { from: ['created'], to: 'completed', set: { endedBy: 'user' } });
    const dying = relay({
      webhooksOut: {
        ...repo.webhooksOut,
        releaseOutbox: async () => {
          throw new Error('process killed before the $pull');
        },
      },
    });
    await dying.runOnce();
    const copied = await repo.webhooksOut.findDeliveriesOfSession(id);
    expect(copied.length).toBeGreaterThan(0);
    expect((await repo.findByClientSessionId(id))?.outbox).toHaveLength(1);
    // Its lease still holds: another relay keeps off until it runs out.
    expect(await relay().runOnce()).toBe(0);
    clock.advance(6_000);
    expect(await relay().runOnce()).toBe(1);
    expect((await repo.findByClientSessionId(id))?.outbox).toEqual([]);
    const after = await repo.webhooksOut.findDeliveriesOfSession(id);
    expect(after.map((d) => d.id).sort()).toEqual(copied.map((d) => d.id).sort());
  });

  it('an event that fails to relay stays in the outbox and is tried again when the lease runs out, not in a loop', async () => {
    const id = await session();
    await repo.transition(id, { from: ['created'], to: 'completed', set: { endedBy: 'user' } });
    let lookups = 0;
    const failing = relay({
      webhooksOut: {
        ...repo.webhooksOut,
        findEndpointsFor: async () => {
          lookups += 1;
          throw new Error('endpoints unreadable');
        },
      },
    });
    expect(await failing.runOnce()).toBe(0);
    expect(lookups).toBe(1);
    expect((await repo.findByClientSessionId(id))?.outbox).toHaveLength(1);
    expect(await relay().runOnce()).toBe(0);
    clock.advance(6_000);
    expect(await relay().runOnce()).toBe(1);
    expect((await repo.findByClientSessionId(id))?.outbox).toEqual([]);
  });

  it('two relays racing over the same documents create every delivery exactly once', async () => {
    const ids = await Promise.all(Array.from({ length: 6 }, () => session()));
    for (const id of ids) await repo.transition(id, { from: ['created'], to: 'completed', set: { endedBy: 'user' } });
    await Promise.all([relay().runOnce(), relay().runOnce(), relay().runOnce()]);
    const subscribed = (await repo.webhooksOut.findEndpointsFor('interview.completed')).length;
    for (const id of ids) {
      expect((await repo.webhooksOut.findDeliveriesOfSession(id)).length).toBe(subscribed);
      expect((await repo.findByClientSessionId(id))?.outbox).toEqual([]);
    }
    expect(await repo.webhooksOut.countOutboxEvents()).toBe(0);
  });
});

describe('delivery leases', () => {
  it('a due delivery is claimed by one dispatcher at a time; after its lease runs out the next claimer sees the attempt the first left', async () => {
    // Earlier tests' deliveries are out of the way (test setup, not a production write).
    await store.models.WebhookDelivery.updateMany({ state: 'pending' }, { $set: { state: 'delivered' } });
    const id = await session();
    await repo.transition(id, { from: ['created'], to: 'completed', set: { endedBy: 'user' } });
    await relay().runOnce();
    await store.models.WebhookDelivery.deleteMany({ clientSessionId: id, endpointId: { $ne: endpointsCreated[0] } });
    clock.advance(5);
    const [first, second] = await Promise.all([
      repo.webhooksOut.claimDelivery({ owner: 'a#1', leaseMs: 1_000 }),
      repo.webhooksOut.claimDelivery({ owner: 'b#1', leaseMs: 1_000 }),
    ]);
    const won = [first, second].filter((c) => c !== null);
    expect(won).toHaveLength(1);
    const owner = first ? 'a#1' : 'b#1';
    clock.advance(1_001);
    const taken = await repo.webhooksOut.claimDelivery({ owner: 'c#1', leaseMs: 1_000 });
    expect(taken?.before.inflight).toMatchObject({ node: owner });
    // The first holder's late result is not recorded: it lost the lease.
    expect((await repo.webhooksOut.finishDeliveryAttempt(taken!.before.id, owner, { state: 'delivered' })).won).toBe(false);
    expect((await repo.webhooksOut.finishDeliveryAttempt(taken!.before.id, 'c#1', { state: 'delivered' })).won).toBe(true);
  });
});
