import type { PendingNudge } from '../../../shared/nudges.js';
import type { QuestionSteer, RoleProfile } from '../llm/port.js';

/**
 * How a recruiter's nudge shapes the next question (docs/recruiters.md). The
 * question cycle reads the pending nudges from the answer write's reply and
 * honours the OLDEST one with the next question it generates; that question's
 * write marks it `used`. Nothing here is kept per node.
 */

const STOP = new Set(['and', 'the', 'of', 'a', 'an', 'to', 'in', 'on', 'for', 'with', 'about', 'their', 'his', 'her', 'ask', 'more', 'them']);

function words(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 2 && !STOP.has(w));
}

/**
 * The role skill a topic nudge names, if any: its id or display name appears in
 * the topic, or the topic shares a significant word with the skill's name
 * ("ask about databases" -> data-modeling "Databases & data modeling").
 */
export function skillForTopic(role: RoleProfile, topic: string): string | undefined {
  const lower = topic.toLowerCase();
  for (const skill of role.skills) {
    if (lower.includes(skill.id.toLowerCase()) || lower.includes(skill.name.toLowerCase())) return skill.id;
  }
  const topicWords = new Set(words(topic));
  let best: { id: string; overlap: number } | undefined;
  for (const skill of role.skills) {
    const overlap = [...new Set([...words(skill.name), ...skill.id.split('-').filter((w) => w.length > 2)])].filter((w) =>
      [...topicWords].some((t) => t === w || (w.length > 4 && t.startsWith(w.slice(0, -1))) || (t.length > 4 && w.startsWith(t.slice(0, -1)))),
    ).length;
    if (overlap > 0 && (!best || overlap > best.overlap)) best = { id: skill.id, overlap };
  }
  return best?.id;
}

/** The nudge the next question honours: the oldest pending one. */
export function nudgeToHonour(nudges: readonly PendingNudge[]): PendingNudge | undefined {
  let oldest: PendingNudge | undefined;
  for (const n of nudges) if (!oldest || n.createdAt < oldest.createdAt) oldest = n;
  return oldest;
}

export function steerOf(nudge: PendingNudge): QuestionSteer {
  return { kind: nudge.kind, text: nudge.text };
}
