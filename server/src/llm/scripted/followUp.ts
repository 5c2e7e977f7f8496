import type { Phase } from '../../../../shared/plan.js';
import { pick } from './random.js';
import { countWords, isMostlyNonLatin, salientPhrase, soundsLikeDontKnow } from './text.js';

/** Words in an answer from which it counts as substantive (worth a follow-up even when the topic changes). */
export const SUBSTANTIVE_WORDS = 12;

const ACKNOWLEDGE = [
  'You mentioned “{p}”, thanks.',
  'Thanks, the point about “{p}” is useful context.',
  'Interesting, especially what you said about “{p}”.',
  'I like that you brought up “{p}”.',
  'Good, “{p}” is a helpful detail.',
  'Noted on “{p}”, that helps.',
];

const ACKNOWLEDGE_BRIEF = ['Thanks.', 'Okay, thank you.', 'Got it.', 'Thanks for that.'];

const DONT_KNOW = [
  "No problem, that one is tricky, and it's fine not to know everything.",
  "That's perfectly fine; let's try a different angle.",
  'Thanks for being honest about that.',
];

const SAME_SKILL = ["Let's stay with that topic for a moment.", 'Building on that:', "Let's dig a little deeper.", 'Staying in the same area:'];

const NEW_SKILL = ["Let's switch to {s}.", "Now I'd like to talk about {s}.", "Let's move on to {s}.", 'Changing gears to {s}:'];

const NEW_TOPIC = ["Let's move on.", 'Next question.', "Here's another one."];

export interface FollowUpInput {
  /** The candidate's latest answer (to the previous question), if any. */
  answer: string | undefined;
  /** Whether the previous question probed the same skill as the next one. */
  sameSkill: boolean;
  skillName: string;
  phase: Phase;
  keywords: readonly string[];
  seed: string;
}

/**
 * The sentence(s) that open a follow-up question: an acknowledgement that refers
 * to what the candidate actually wrote, then a transition. Only ever quotes text
 * copied verbatim from the answer; the caller skips it for the first question.
 */
export function followUpPrefix(input: FollowUpInput): string {
  const answer = input.answer?.trim() ?? '';
  const words = countWords(answer);
  const parts: string[] = [];
  const seed = (part: string): string => `${input.seed}:${part}`;

  if (!/[\p{L}\p{N}]/u.test(answer)) {
    // Nothing to refer to (empty or punctuation only): just the transition.
  } else if (isMostlyNonLatin(answer)) {
    parts.push("Thank you. I'll continue in English, so please answer in English if you can.");
  } else if (soundsLikeDontKnow(answer) && words < SUBSTANTIVE_WORDS * 2) {
    parts.push(pick(DONT_KNOW, seed('dk'))!);
  } else if (input.sameSkill || words >= SUBSTANTIVE_WORDS) {
    const phrase = salientPhrase(answer, input.keywords);
    parts.push(phrase ? pick(ACKNOWLEDGE, seed('ack'))!.replace('{p}', phrase) : pick(ACKNOWLEDGE_BRIEF, seed('brief'))!);
    if (words < 5) parts.push('Feel free to go into more detail on this next one.');
  }

  if (input.sameSkill) parts.push(pick(SAME_SKILL, seed('same'))!);
  else if (input.phase === 'warmup') parts.push(pick(NEW_TOPIC, seed('topic'))!);
  else parts.push(pick(NEW_SKILL, seed('skill'))!.replace('{s}', input.skillName));
  return `${parts.join(' ')} `;
}
