import { z } from 'zod';
import { evaluationResultSchema } from '../../../../shared/interview.js';

/**
 * Schemas for the JSON replies. The JSON Schema sent as `response_format`
 * (strict structured output) only fixes the shape; ranges and lengths are
 * checked by zod afterwards, because strict mode supports few keywords, and
 * invalid stays invalid (nothing is clamped).
 */

export const assessmentSchema = z.object({
  score: z.number().min(0).max(10),
  rationale: z.string().trim().min(1).max(1000),
});

export interface JsonFormat<T> {
  name: string;
  jsonSchema: Record<string, unknown>;
  schema: z.ZodType<T>;
}

const str = { type: 'string' } as const;
const num = { type: 'number' } as const;

export const ASSESSMENT_FORMAT: JsonFormat<z.infer<typeof assessmentSchema>> = {
  name: 'answer_assessment',
  schema: assessmentSchema,
  jsonSchema: {
    type: 'object',
    properties: { score: { ...num, description: '0..10' }, rationale: { ...str, description: 'one sentence' } },
    required: ['score', 'rationale'],
    additionalProperties: false,
  },
};

export const EVALUATION_FORMAT: JsonFormat<z.infer<typeof evaluationResultSchema>> = {
  name: 'interview_evaluation',
  schema: evaluationResultSchema,
  jsonSchema: {
    type: 'object',
    properties: {
      overall: { ...num, description: '0..10' },
      summary: str,
      strengths: { type: 'array', items: str },
      concerns: { type: 'array', items: str },
      competencies: {
        type: 'array',
        items: {
          type: 'object',
          // Strict mode wants every property required; evidence is optional only on our side.
          properties: { name: str, score: { ...num, description: '0..10' }, evidence: str },
          required: ['name', 'score', 'evidence'],
          additionalProperties: false,
        },
      },
    },
    required: ['overall', 'summary', 'strengths', 'concerns', 'competencies'],
    additionalProperties: false,
  },
};

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

export function parseReply<T>(content: string | null | undefined, format: JsonFormat<T>): Parsed<T> {
  if (!content) return { ok: false, problem: 'the reply was empty' };
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch {
    return { ok: false, problem: 'the reply was not valid JSON' };
  }
  const result = format.schema.safeParse(json);
  if (result.success) return { ok: true, value: result.data };
  const problem = result.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
  return { ok: false, problem: `the JSON did not match the schema (${problem})` };
}
