/**
 * Log metadata passes through here. Keys that may hold transcript text,
 * tokens, secrets or request bodies are replaced by a marker (with the
 * length for strings, which is what an operator needs); everything else is
 * kept. Matching is by key name, case-insensitive, at any depth.
 */
const SENSITIVE_KEY =
  /^(text|texts|message_?text|answer|question|transcript|messages|prompt|completion|content|delta|body|raw_?body|payload|headers|authorization|cookie|set-cookie|token|candidate_?token|recruiter_?token|conversation_?token|signed_?url|access_?token|secret|.*_secret|session_?secret|api_?key|.*api_?key|password|signature|elevenlabs-signature|candidate_?name|candidate|name)$/i;

export const REDACTED = '[redacted]';
const MAX_DEPTH = 6;

export function redact(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return redactError(value);
  if (value instanceof Date) return value;
  if (depth >= MAX_DEPTH) return '[depth]';
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) out[key] = redactField(key, inner, depth + 1);
  return out;
}

/** The value to log under `key`. */
export function redactField(key: string, value: unknown, depth = 0): unknown {
  return SENSITIVE_KEY.test(key) ? redactedMarker(value) : redact(value, depth);
}

function redactedMarker(value: unknown): string {
  return typeof value === 'string' ? `${REDACTED}(${value.length})` : REDACTED;
}

/**
 * Errors keep name, code and stack frames. Their message may quote user input
 * (a validation error, a driver error echoing a filter), so it is dropped, and
 * so is the stack's first line, which repeats it.
 */
function redactError(err: Error): Record<string, unknown> {
  const code = (err as { code?: unknown }).code;
  const frames = err.stack?.split('\n').filter((line) => line.trimStart().startsWith('at ')) ?? [];
  return {
    name: err.name,
    code: typeof code === 'string' || typeof code === 'number' ? code : undefined,
    messageLength: err.message.length,
    stack: frames.join('\n'),
  };
}
