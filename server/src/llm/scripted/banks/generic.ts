import type { RoleProfile } from '../../port.js';
import { defineBank, type QuestionBank, type SkillSpec } from './types.js';
import type { Difficulty } from '../../../../../shared/plan.js';
import { displayLabel } from '../text.js';

/**
 * Templates for a role without a hand-written bank (e.g. a custom opening):
 * every skill gets seven questions across difficulties 1–5, phrased around the
 * skill's display name.
 */
const TEMPLATES: ReadonlyArray<readonly [Difficulty, string]> = [
  [1, 'To get us started, tell me about some recent work involving {skill} that you enjoyed. What was your part in it?'],
  [2, 'How do you usually approach {skill} in your day-to-day work? Walk me through a typical example.'],
  [2, 'What does good {skill} look like to you, and how do you recognise it in a team?'],
  [3, 'Tell me about a difficult problem involving {skill}. Which options did you consider, and why did you choose the one you did?'],
  [3, 'What is a common mistake people make with {skill}, and how do you avoid it?'],
  [4, 'Describe a situation where you had to make a hard trade-off in {skill}. What did you give up, and how did you know it was the right call?'],
  [5, 'If you had to build a team practice around {skill} from scratch, how would you design it and measure whether it works?'],
];

/** Generic terms that signal a concrete, reasoned answer in any field. */
const GENERIC_KEYWORDS = ['process', 'team', 'customer', 'measure', 'metric', 'result', 'plan', 'risk', 'quality', 'feedback', 'goal', 'priority'];

export function genericBank(role: RoleProfile): QuestionBank {
  const skills: Record<string, SkillSpec> = {};
  for (const { id, name } of role.skills) {
    const label = displayLabel(name);
    const own = label
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter((w) => w.length > 3);
    skills[id] = {
      keywords: [...new Set([...own, ...GENERIC_KEYWORDS])],
      questions: TEMPLATES.map(([d, text]) => [d, text.replaceAll('{skill}', label)] as const),
    };
  }
  return defineBank(role.id, `gen-${role.id}`, skills);
}
