import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlatformConversation } from '../../src/voice/agentDriver.js';
import { RECOVERY_LINE } from '../../src/voice/customLlm.js';
import { startFakeOpenAi, type ChatBody, type FakeOpenAi, type FakeReply } from '../support/fakeOpenAi.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { startVoice, voiceCandidate } from './helpers.js';

const KEY = 'voice-llm-key-openai-tests-0123456789';
let fake: FakeOpenAi;
let server: TestServer;
let streams: FakeReply[] = [];

function reply(body: ChatBody): FakeReply | undefined {
  const name = body.response_format?.json_schema?.name;
  if (name === 'answer_assessment') return { kind: 'completion', content: JSON.stringify({ score: 7, rationale: 'Specific.' }) };
  if (body.stream) return streams.shift();
  return undefined;
}

const words = (text: string) => text.split(/(?<= )/);

beforeAll(async () => {
  fake = await startFakeOpenAi();
  fake.responder = reply;
  server = await startTestServer({ VOICE_LLM_KEY: KEY, OPENAI_API_KEY: 'sk-test-not-real', OPENAI_BASE_URL: fake.baseURL, OPENAI_MODEL: 'gpt-4o-mini' });
});
afterAll(async () => {
  await server?.close();
  await fake?.close();
});

describe('the OpenAI interviewer behind the Custom LLM endpoint', () => {
  it('a stream cut mid-question ends in a short spoken recovery line, stores nothing, and the next turn asks again', async () => {
    const c = await voiceCandidate(server);
    await startVoice(c, { omitConversationId: true, webhook: 'off' });
    const conversation = new PlatformConversation(`${server.url}/llm/v1/chat/completions`, KEY, c.clientSessionId, `conv_${randomUUID().replace(/-/g, '')}`);

    streams.push({ kind: 'stream', deltas: words('Tell me about a system you built and what went wrong with it.'), cutAfter: 3 });
    const cut = await conversation.opening();
    expect(cut).toMatchObject({ status: 200, done: true });
    // What was streamed before the cut, then the recovery line: never silence.
    expect(cut.text.startsWith('Tell me about ')).toBe(true);
    expect(cut.text.endsWith(RECOVERY_LINE)).toBe(true);
    let s = await server.service.require(c.clientSessionId);
    expect(s.messages).toHaveLength(0);
    expect(s.plan.asked).toHaveLength(0);

    // The candidate says something; the question is asked again (their words are no answer to a question never stored).
    streams.push({ kind: 'stream', deltas: words('Tell me about a system you built recently.') });
    const again = await conversation.answer('Sure, go ahead.');
    expect(again.text).toBe('Tell me about a system you built recently.');
    s = await server.service.require(c.clientSessionId);
    expect(s.messages.map((m) => [m.role, m.text, m.source])).toEqual([['interviewer', 'Tell me about a system you built recently.', 'voice']]);

    // A stream cut before its first token is retried behind the scenes: the platform hears the question, not a recovery line.
    streams.push({ kind: 'status', status: 500, message: 'upstream hiccup' }, { kind: 'stream', deltas: words('How did you find the bottleneck?') });
    const retried = await conversation.answer('I built a payments ledger.');
    expect(retried.text).toBe('How did you find the bottleneck?');
    s = await server.service.require(c.clientSessionId);
    expect(s.messages.map((m) => m.role)).toEqual(['interviewer', 'candidate', 'interviewer']);
  });
});
