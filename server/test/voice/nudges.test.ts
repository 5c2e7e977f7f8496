import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VoiceContext } from '../../../shared/nudges.js';
import { TestRecruiter } from '../support/recruiter.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { startVoice, voiceCandidate } from './helpers.js';

/**
 * Recruiter nudges in a voice call (docs/recruiters.md). The candidate's browser
 * receives `voice:context {nudgeId, text}` (for the SDK's sendContextualUpdate) and
 * nothing else about it; the nudge is `used` by the next agent line after it. The
 * simulator's agent honours it server-side; a real agent's line arrives as voice:transcript.
 */
describe('nudges in a voice call', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ SIMULATED_WEBHOOK_DELAY_MS: '200' });
  });
  afterAll(async () => {
    await server?.close();
  });

  async function liveCall() {
    const c = await voiceCandidate(server);
    await startVoice(c);
    await c.connect();
    const seen: Array<{ event: string; payload: unknown }> = [];
    c.socket!.onAny((event: string, payload: unknown) => seen.push({ event, payload }));
    expect(await c.emit('voice:started', {})).toEqual({ ok: true, status: 'active' });
    await c.until((v) => v.messages.length === 1 && v.messages[0]?.role === 'interviewer', 5_000, 'agent greeting');
    const recruiter = await TestRecruiter.connect(server.url, server.config.recruiterToken);
    await recruiter.watch(c.created.sessionId);
    return { c, seen, recruiter, sessionId: c.created.sessionId };
  }

  it('the simulated agent follows a nudge that reached the candidate’s browser as voice:context; the next agent line uses it', async () => {
    const { c, seen, recruiter, sessionId } = await liveCall();
    const text = 'Ask how they would shed load when the queue backs up.';
    const arrived = new Promise<VoiceContext>((resolve) => (c.socket as unknown as { once(e: string, l: (p: VoiceContext) => void): void }).once('voice:context', resolve));
    await recruiter.call('session:nudge', { sessionId, nudgeId: 'voice-nudge-1', kind: 'follow_up', text });
    const context = await arrived;
    // The bare text for the agent: no kind, state or recruiter name.
    expect(context).toEqual({ nudgeId: 'voice-nudge-1', text });

    await c.emit('voice:transcript', { messageId: 'user-1', role: 'user', text: 'We used a bounded queue with backpressure.' });
    await c.until((v) => v.messages.length === 3, 5_000, 'agent reply');
    const line = c.view.messages[2]!;
    expect(line.text).toContain(text);
    await recruiter.until((_v, _u, r) => r.nudges.get('voice-nudge-1')?.state === 'used', 3_000, 'used');
    expect(recruiter.nudges.get('voice-nudge-1')).toMatchObject({ questionId: line.id, questionNumber: 2 });
    expect(seen.map((s) => s.event).filter((e) => e.startsWith('nudge') || e.startsWith('takeover'))).toEqual([]);
    expect(JSON.stringify(seen)).not.toContain('follow_up');
    recruiter.close();
    c.disconnect();
  });

  it('an agent line reported by the browser after a nudge marks it used (an agent running its own LLM)', async () => {
    const { c, recruiter, sessionId } = await liveCall();
    await recruiter.call('session:nudge', { sessionId, nudgeId: 'voice-nudge-2', kind: 'topic', text: 'incident reviews' });
    expect(await c.emit('voice:transcript', { messageId: 'live:conv:agent:7', role: 'agent', text: 'Tell me about an incident review you led.' })).toMatchObject({ ok: true });
    await recruiter.until((_v, _u, r) => r.nudges.get('voice-nudge-2')?.state === 'used', 3_000, 'used by the agent line');
    expect(recruiter.nudges.get('voice-nudge-2')).toMatchObject({ questionId: 'live:conv:agent:7', questionNumber: 2 });
    // A later agent line does not touch it again; a new nudge waits for the next one.
    await recruiter.call('session:nudge', { sessionId, nudgeId: 'voice-nudge-3', kind: 'topic', text: 'on-call' });
    await c.emit('voice:transcript', { messageId: 'live:conv:agent:8', role: 'agent', text: 'And how is on-call organised?' });
    await recruiter.until((_v, _u, r) => r.nudges.get('voice-nudge-3')?.state === 'used', 3_000, 'second used');
    expect(recruiter.nudges.get('voice-nudge-2')?.questionId).toBe('live:conv:agent:7');
    expect(recruiter.nudges.get('voice-nudge-3')).toMatchObject({ questionId: 'live:conv:agent:8', questionNumber: 3 });
    recruiter.close();
    c.disconnect();
  });
});
