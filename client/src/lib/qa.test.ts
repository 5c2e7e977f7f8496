import { describe, expect, it } from 'vitest';
import type { SimulatedDelivery } from '../../../shared/voice.js';
import { DUPLICATES, SCENARIOS, checkDuplicates, checkStaleFirst, describeDeliveries, type Observation } from './qa.js';

const at = '2026-01-01T00:00:00.000Z';
const d = (kind: SimulatedDelivery['kind'], status: number): SimulatedDelivery => ({ kind, status, at });
const linked = (overrides: Partial<Observation> = {}): Observation => ({
  status: 'completed',
  voiceState: 'linked',
  linkedBy: 'conversation_id',
  transcriptLines: 3,
  liveLines: 3,
  ...overrides,
});
const scenario = (id: string) => {
  const s = SCENARIOS.find((x) => x.id === id);
  if (!s) throw new Error(`no scenario ${id}`);
  return s;
};

describe('QA scenario: webhook delivered 3 times', () => {
  const three = [d('valid', 200), d('duplicate', 200), d('duplicate', 200)];

  it('is a real scenario asking the simulator for 3 deliveries and reading the delivery log', () => {
    const s = scenario('duplicate');
    expect(s.title).toBe('Webhook delivered 3 times');
    expect(s.controls).toMatchObject({ duplicates: 3 });
    expect(s.deliveries).toBe(true);
    expect(DUPLICATES).toBe(3);
  });

  it('passes when linked once by conversation_id, 3 deliveries all 200 and the transcript holds each line once', () => {
    expect(checkDuplicates(3, linked({ deliveries: three }))).toEqual([]);
    expect(scenario('duplicate').check(linked({ deliveries: three }))).toEqual([]);
  });

  it('fails when a redelivery duplicated the transcript', () => {
    expect(checkDuplicates(3, linked({ deliveries: three, transcriptLines: 9 }))).toEqual(['transcript has 9 lines, the call had 3 (duplicated)']);
  });

  it('fails when a redelivery was not answered 200', () => {
    expect(checkDuplicates(3, linked({ deliveries: [d('valid', 200), d('duplicate', 409), d('duplicate', 200)] }))).toEqual([
      'not every delivery got 200: duplicate 409',
    ]);
  });

  it('fails when fewer deliveries were made, or in the wrong order', () => {
    expect(checkDuplicates(3, linked({ deliveries: three.slice(0, 2) }))).toEqual(['2 deliveries (valid 200, duplicate 200), expected 3']);
    expect(checkDuplicates(3, linked({ deliveries: [d('duplicate', 200), d('valid', 200), d('duplicate', 200)] }))).toEqual([
      'deliveries were duplicate 200, valid 200, duplicate 200, expected valid, duplicate, duplicate',
    ]);
  });

  it('fails when the session is not linked, or linked another way', () => {
    expect(checkDuplicates(3, linked({ deliveries: three, status: 'ended_pending_webhook', linkedBy: null, transcriptLines: 0 }))).toEqual([
      'status is ended_pending_webhook, expected completed',
      'linked by nothing, expected conversation_id',
      'no transcript lines linked',
    ]);
    expect(checkDuplicates(3, linked({ deliveries: three, linkedBy: 'time_window' }))).toEqual(['linked by time_window, expected conversation_id']);
  });

  it('keeps watching until linked and all 3 deliveries are in', () => {
    const s = scenario('duplicate');
    expect(s.settled(linked({ deliveries: three.slice(0, 1) }))).toBe(false);
    expect(s.settled(linked({ deliveries: three, linkedBy: null }))).toBe(false);
    expect(s.settled(linked({ deliveries: three }))).toBe(true);
  });
});

describe('QA scenario: stale signature first', () => {
  const log = [d('stale', 401), d('valid', 200)];

  it('is a real scenario asking the simulator for a stale copy first', () => {
    const s = scenario('stale');
    expect(s.title).toBe('Stale signature first');
    expect(s.controls).toMatchObject({ staleFirst: true });
    expect(s.deliveries).toBe(true);
  });

  it('passes when the stale copy got 401 and the valid one 200 and linked', () => {
    expect(checkStaleFirst(linked({ deliveries: log }))).toEqual([]);
  });

  it('fails when the stale copy was accepted', () => {
    expect(checkStaleFirst(linked({ deliveries: [d('stale', 200), d('valid', 200)] }))).toEqual(['the stale copy got 200, expected 401']);
  });

  it('fails when the valid delivery is missing or refused, and says so', () => {
    expect(checkStaleFirst(linked({ deliveries: [d('stale', 401)], status: 'ended_pending_webhook', linkedBy: null, transcriptLines: 0 }))).toEqual([
      'status is ended_pending_webhook, expected completed',
      'linked by nothing, expected conversation_id',
      'second delivery was missing, expected the valid one',
      'no transcript lines linked',
    ]);
    expect(checkStaleFirst(linked({ deliveries: [d('stale', 401), d('valid', 500)] }))).toEqual(['the valid delivery got 500, expected 200']);
  });

  it('fails when the stale copy was not delivered first, or more came', () => {
    expect(checkStaleFirst(linked({ deliveries: [d('valid', 200)] }))).toEqual([
      'first delivery was valid 200, expected the stale copy',
      'second delivery was missing, expected the valid one',
    ]);
    expect(checkStaleFirst(linked({ deliveries: [...log, d('duplicate', 200)] }))).toEqual(['unexpected further deliveries: duplicate 200']);
  });

  it('keeps watching until linked and both deliveries are in', () => {
    const s = scenario('stale');
    expect(s.settled(linked({ deliveries: log.slice(0, 1) }))).toBe(false);
    expect(s.settled(linked({ deliveries: log }))).toBe(true);
  });
});

describe('the other scenarios judge with reasons', () => {
  it('linked scenarios name the wrong link', () => {
    expect(scenario('no-conversation-id').check(linked({ linkedBy: 'dynamic_variable' }))).toEqual([]);
    expect(scenario('no-ids').check(linked({ linkedBy: 'dynamic_variable' }))).toEqual(['linked by dynamic_variable, expected time_window']);
  });

  it('missing and forged expect the session still pending; forged also a 401', () => {
    const pending: Observation = { status: 'ended_pending_webhook', voiceState: 'awaiting_transcript', linkedBy: null, transcriptLines: 0 };
    expect(scenario('missing').check(pending)).toEqual([]);
    expect(scenario('forged').check({ ...pending, forgedStatus: 401 })).toEqual([]);
    expect(scenario('forged').check({ ...pending, forgedStatus: 200 })).toEqual(['forged webhook got 200, expected 401']);
    expect(scenario('missing').check(linked())).toEqual(['status is completed, expected ended_pending_webhook', 'linked by conversation_id, expected no link']);
  });

  it('no scenario points at a command line any more', () => {
    expect(SCENARIOS.map((s) => s.id)).toEqual(['delayed', 'no-conversation-id', 'no-ids', 'duplicate', 'stale', 'missing', 'forged']);
  });

  it('describes a delivery log compactly', () => {
    expect(describeDeliveries([d('stale', 401), d('valid', 200)])).toBe('stale 401, valid 200');
    expect(describeDeliveries([])).toBe('no deliveries');
    expect(describeDeliveries(undefined)).toBe('no deliveries');
  });
});
