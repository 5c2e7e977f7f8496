import type { PersonaId } from '../../../../shared/opening.js';
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

const SHORT_ANSWER = 'Feel free to go into more detail on this next one.';

/** The phrase sets of one interviewing style. `{p}`: a phrase quoted from the answer; `{s}`: the next skill. */
export interface FollowUpStyle {
  acknowledge: readonly string[];
  brief: readonly string[];
  dontKnow: readonly string[];
  sameSkill: readonly string[];
  newSkill: readonly string[];
  newTopic: readonly string[];
  shortAnswer: string;
}

const DEFAULT_STYLE: FollowUpStyle = {
  acknowledge: ACKNOWLEDGE,
  brief: ACKNOWLEDGE_BRIEF,
  dontKnow: DONT_KNOW,
  sameSkill: SAME_SKILL,
  newSkill: NEW_SKILL,
  newTopic: NEW_TOPIC,
  shortAnswer: SHORT_ANSWER,
};

/** Per persona (server/src/interview/personas.ts): tone of the acknowledgement and of the transition. */
export const PERSONA_STYLES: Readonly<Record<PersonaId, FollowUpStyle>> = {
  warm: {
    acknowledge: [
      'Thank you, I really enjoyed hearing about “{p}”.',
      'That was great, especially the part about “{p}”.',
      'Lovely, thanks for walking me through “{p}”.',
    ],
    brief: ['Thank you, that helps.', 'Thanks so much.', 'Great, thank you.'],
    dontKnow: ["No worries at all, nobody knows everything. Let's try something else.", "That's completely fine, thanks for being honest."],
    sameSkill: ["I'd love to hear a bit more on this topic.", "Let's stay here a moment longer, you're doing well."],
    newSkill: ["Whenever you're ready, let's chat about {s}.", "I'm curious about your experience with {s}."],
    newTopic: ["Whenever you're ready, here's the next one.", "Let's keep going, you're doing well."],
    shortAnswer: 'Take your time with this next one, and share as much detail as you like.',
  },
  neutral: {
    acknowledge: ['Noted: “{p}”.', 'Understood, “{p}”.'],
    brief: ['Noted.', 'Understood.'],
    dontKnow: ['Understood. Next question.', "Noted. We'll move on."],
    sameSkill: ['Same topic, next question.', 'Continuing with this topic.'],
    newSkill: ['Next topic: {s}.', 'Topic: {s}.'],
    newTopic: ['Next question.', 'Moving on.'],
    shortAnswer: 'Please give a complete answer to the following.',
  },
  probing: {
    acknowledge: [
      'You said “{p}”. Be specific this time: numbers, trade-offs and what would go wrong.',
      'Regarding “{p}”: I want the concrete details, not the summary.',
      'You mentioned “{p}”; I will push on the specifics.',
    ],
    brief: ['Let me push a little further.', "I'd like more precision."],
    dontKnow: ["Then reason it through out loud: what would you try first, and why?", 'Fine. Walk me through how you would find out.'],
    sameSkill: ["Let's go one level deeper.", 'Let me push on that further.'],
    newSkill: ["Let's test your depth on {s}.", 'Now {s}, and I will want specifics.'],
    newTopic: ['Next one, and be concrete.', 'Next question; give me specifics.'],
    shortAnswer: 'That was brief: give me a concrete example with numbers this time.',
  },
};

export function followUpStyle(persona: PersonaId | undefined): FollowUpStyle {
  return persona ? PERSONA_STYLES[persona] : DEFAULT_STYLE;
}

export interface FollowUpInput {
  /** The candidate's latest answer (to the previous question), if any. */
  answer: string | undefined;
  /** Whether the previous question probed the same skill as the next one. */
  sameSkill: boolean;
  skillName: string;
  phase: Phase;
  keywords: readonly string[];
  seed: string;
  /** The opening's persona; absent: the default style. */
  persona?: PersonaId;
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
  const style = followUpStyle(input.persona);

  if (!/[\p{L}\p{N}]/u.test(answer)) {
    // Nothing to refer to (empty or punctuation only): just the transition.
  } else if (isMostlyNonLatin(answer)) {
    parts.push("Thank you. I'll continue in English, so please answer in English if you can.");
  } else if (soundsLikeDontKnow(answer) && words < SUBSTANTIVE_WORDS * 2) {
    parts.push(pick(style.dontKnow, seed('dk'))!);
  } else if (input.sameSkill || words >= SUBSTANTIVE_WORDS) {
    const phrase = salientPhrase(answer, input.keywords);
    parts.push(phrase ? pick(style.acknowledge, seed('ack'))!.replace('{p}', phrase) : pick(style.brief, seed('brief'))!);
    if (words < 5) parts.push(style.shortAnswer);
  }

  if (input.sameSkill) parts.push(pick(style.sameSkill, seed('same'))!);
  else if (input.phase === 'warmup') parts.push(pick(style.newTopic, seed('topic'))!);
  else parts.push(pick(style.newSkill, seed('skill'))!.replace('{s}', input.skillName));
  return `${parts.join(' ')} `;
}
