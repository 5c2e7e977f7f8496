import { describe, expect, it } from 'vitest';
import { clientSessionIdSchema, messageIdSchema } from '../../../shared/ids.js';
import { createSessionInputSchema, messageSchema, turnSchema } from '../../../shared/interview.js';

describe('shared schemas', () => {
  it('a clientSessionId must be a UUID', () => {
    expect(clientSessionIdSchema.safeParse('9b2f7a1e-4c1d-4a8e-9f3a-1c2d3e4f5a6b').success).toBe(true);
    expect(clientSessionIdSchema.safeParse('abc').success).toBe(false);
    expect(clientSessionIdSchema.safeParse({ $ne: null }).success).toBe(false);
  });

  it('a message id is 1..128 characters of [A-Za-z0-9_:.-]', () => {
    expect(messageIdSchema.safeParse('evt_01:abc.def-9').success).toBe(true);
    expect(messageIdSchema.safeParse('').success).toBe(false);
    expect(messageIdSchema.safeParse('a'.repeat(129)).success).toBe(false);
    expect(messageIdSchema.safeParse('a b').success).toBe(false);
    expect(messageIdSchema.safeParse('$where').success).toBe(false);
  });

  it('candidate answers are limited to 2000 characters, interviewer questions to 8000', () => {
    const base = { id: 'm1', source: 'text', at: new Date() };
    expect(messageSchema.safeParse({ ...base, role: 'candidate', text: 'x'.repeat(2000) }).success).toBe(true);
    expect(messageSchema.safeParse({ ...base, role: 'candidate', text: 'x'.repeat(2001) }).success).toBe(false);
    expect(messageSchema.safeParse({ ...base, role: 'interviewer', text: 'x'.repeat(8000) }).success).toBe(true);
    expect(messageSchema.safeParse({ ...base, role: 'interviewer', text: 'x'.repeat(8001) }).success).toBe(false);
    expect(messageSchema.safeParse({ ...base, role: 'candidate', text: '' }).success).toBe(false);
    expect(messageSchema.safeParse({ ...base, role: 'system', text: 'hi' }).success).toBe(false);
  });

  it('a turn state is one of idle, generating, awaiting_answer', () => {
    expect(turnSchema.safeParse({ state: 'idle' }).success).toBe(true);
    expect(turnSchema.safeParse({ state: 'thinking' }).success).toBe(false);
  });

  it('session creation input refuses fields it does not know', () => {
    const ok = { clientSessionId: '9b2f7a1e-4c1d-4a8e-9f3a-1c2d3e4f5a6b', mode: 'text', role: 'backend-engineer' };
    expect(createSessionInputSchema.safeParse(ok).success).toBe(true);
    expect(createSessionInputSchema.safeParse({ ...ok, status: 'completed' }).success).toBe(false);
  });
});
