import type * as ElevenLabs from '@elevenlabs/elevenlabs-js';

let loading: Promise<typeof ElevenLabs> | undefined;

/**
 * The official ElevenLabs SDK, loaded on first use. Its module graph takes ~1.5 s to load on
 * this machine (about a third of a server's start from source), and most processes never call
 * ElevenLabs: the simulator needs it only to verify its first webhook.
 */
export function elevenLabsSdk(): Promise<typeof ElevenLabs> {
  loading ??= import('@elevenlabs/elevenlabs-js');
  return loading;
}
