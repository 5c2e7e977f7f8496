import { Link } from 'wouter';
import { loadSession, type StoredSession } from '../lib/storage.js';
import { TextInterview } from './TextInterview.js';
import { VoiceInterview } from './VoiceInterview.js';

export function MissingSession() {
  return (
    <main className="page">
      <h1>Interview not found on this browser</h1>
      <p>This interview was started on another browser, or this browser's storage was cleared. Interviews can only be continued where they were started.</p>
      <Link href="/">Start a new interview</Link>
    </main>
  );
}

/** Chooses the stored session for the URL's clientSessionId and the page for its mode. */
export function WithStoredSession({ clientSessionId, children }: { clientSessionId: string; children: (session: StoredSession) => React.ReactNode }) {
  const session = loadSession(clientSessionId);
  if (!session) return <MissingSession />;
  return <>{children(session)}</>;
}

export function InterviewPage({ clientSessionId }: { clientSessionId: string }) {
  return (
    <WithStoredSession clientSessionId={clientSessionId}>
      {(session) => (session.mode === 'voice' ? <VoiceInterview session={session} /> : <TextInterview session={session} />)}
    </WithStoredSession>
  );
}
