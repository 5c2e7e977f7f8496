import { Link } from 'wouter';
import type { StoredSession } from '../lib/storage.js';

/** Placeholder until the voice endpoints land (docs/voice.md). */
export function VoiceInterview({ session }: { session: StoredSession }) {
  return (
    <main className="page">
      <h1>Voice interview</h1>
      <p>Voice interviews are not available yet.</p>
      <Link href={`/results/${session.clientSessionId}`}>Results</Link>
    </main>
  );
}
