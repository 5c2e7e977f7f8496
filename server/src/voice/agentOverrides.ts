import type { Interview } from '../../../shared/interview.js';
import type { VoiceAgentOverrides } from '../../../shared/voice.js';
import type { Repository } from '../db/repository/index.js';
import { focusSkillsOf } from '../interview/openingGuide.js';
import { findPersona } from '../interview/personas.js';
import { findRole } from '../interview/roles.js';

/**
 * Without the Custom LLM (no VOICE_LLM_KEY) the agent runs its own LLM; the page passes these as
 * the conversation's `overrides` (prompt, first message, language) and ASR `keywords`, so the
 * agent follows the opening as far as a prompt can (docs/voice.md). The opening's job
 * description and must-ask questions are confidential (the public link never shows them) and
 * are NOT put here: this goes to the candidate's browser. Only the Custom LLM asks them.
 */
export async function agentOverridesFor(repo: Pick<Repository, 'findOpeningById'>, session: Interview): Promise<VoiceAgentOverrides> {
  const role = findRole(session.role);
  const opening = session.openingId ? await repo.findOpeningById(session.openingId) : null;
  const persona = findPersona(opening?.persona ?? 'neutral');
  const title = role?.title ?? session.role;
  const focus = role && opening ? focusSkillsOf(role, opening.jobDescription) : [];
  const skillNames = role ? role.skills.filter((s) => focus.length === 0 || focus.includes(s.id)).map((s) => s.name) : [];
  const prompt = [
    `You are a technical interviewer for the role of ${title}. ${persona.tone}`,
    'Ask exactly one question at a time and wait for the answer. Start with one or two easy warm-up questions about the candidate\'s recent work, then move to harder questions, adapting the difficulty to how well the candidate answers.',
    skillNames.length > 0 ? `Cover these skills: ${skillNames.join(', ')}.` : '',
    'Never give the answers, never evaluate the candidate out loud, keep every turn short and spoken-friendly. After about twelve questions, thank the candidate and say that they can end the interview.',
  ]
    .filter(Boolean)
    .join('\n');
  return {
    prompt,
    firstMessage: `Hello, I'm your interviewer for the ${title} role. To start, could you tell me a little about yourself and what you have been working on recently?`,
    language: 'en',
    keywords: skillNames.slice(0, 20),
  };
}
