/** Seeded, deterministic choices: the scripted interviewer never calls Math.random. */

export function hash32(text: string): number {
  // FNV-1a: tiny, stable across runtimes, good enough to spread choices.
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A [0, 1) generator seeded by a string (mulberry32). */
export function seededRandom(seed: string): () => number {
  let a = hash32(seed);
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One element chosen by the seed; undefined only for an empty list. */
export function pick<T>(items: readonly T[], seed: string): T | undefined {
  if (items.length === 0) return undefined;
  return items[hash32(seed) % items.length];
}
