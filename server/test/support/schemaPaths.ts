import type { Schema } from 'mongoose';
import { z } from 'zod';

/** Dotted leaf paths of a zod schema, walking objects, arrays of objects and discriminated unions. */
export function zodPaths(schema: z.ZodType, prefix = ''): string[] {
  if (schema instanceof z.ZodOptional) return zodPaths(schema.unwrap() as z.ZodType, prefix);
  if (schema instanceof z.ZodObject) {
    return Object.entries(schema.shape as Record<string, z.ZodType>).flatMap(([key, child]) => zodPaths(child, `${prefix}${key}.`));
  }
  if (schema instanceof z.ZodDiscriminatedUnion) {
    return [...new Set((schema.options as z.ZodType[]).flatMap((o) => zodPaths(o, prefix)))];
  }
  if (schema instanceof z.ZodArray) {
    const element = schema.element as z.ZodType;
    if (element instanceof z.ZodObject || element instanceof z.ZodDiscriminatedUnion) return zodPaths(element, prefix);
  }
  return [prefix.slice(0, -1)];
}

/** Dotted leaf paths of a mongoose schema, walking single nested and array subdocuments. */
export function mongoosePaths(schema: Schema, prefix = ''): string[] {
  const out: string[] = [];
  schema.eachPath((path, type) => {
    if (path === '_id') return;
    const nested = (type as { schema?: Schema }).schema;
    if (nested) out.push(...mongoosePaths(nested, `${prefix}${path}.`));
    else out.push(`${prefix}${path}`);
  });
  return out;
}
