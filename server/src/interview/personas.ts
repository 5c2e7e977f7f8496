import type { PersonaId } from '../../../shared/opening.js';
import type { PersonaProfile } from '../llm/port.js';

/**
 * Interviewer personas (GET /api/personas). `tone` goes into the OpenAI
 * question prompt; the scripted interviewer has its own phrase sets per id
 * (server/src/llm/scripted/followUp.ts). The candidate sees name + description
 * before starting.
 */
export const PERSONAS: readonly PersonaProfile[] = [
  {
    id: 'warm',
    name: 'Warm',
    description: 'Friendly and encouraging: acknowledges what you said and eases into each topic.',
    tone: 'Be warm and encouraging. Acknowledge something specific the candidate said in a friendly half-sentence before asking, and keep the question approachable.',
  },
  {
    id: 'neutral',
    name: 'Neutral and structured',
    description: 'Calm and to the point: short acknowledgements, clearly announced topics, one question at a time.',
    tone: 'Be neutral, concise and structured. At most a very short acknowledgement, name the topic, then ask. No praise, no small talk.',
  },
  {
    id: 'probing',
    name: 'Probing',
    description: 'Digs into details: asks for specifics, trade-offs and what would go wrong.',
    tone: 'Be probing and precise. Push on the weakest or vaguest part of the last answer, ask for concrete specifics, numbers, trade-offs or failure modes. Stay polite.',
  },
];

const BY_ID = new Map(PERSONAS.map((p) => [p.id, p]));

export function findPersona(id: PersonaId): PersonaProfile {
  const persona = BY_ID.get(id);
  if (!persona) throw new RangeError(`unknown persona ${id}`);
  return persona;
}
