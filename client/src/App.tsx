import { useServerStatus } from './useServerStatus.js';

export function App() {
  const status = useServerStatus();
  return (
    <main className="page">
      <header>
        <h1>Candor</h1>
        <p className="tagline">Real-time AI interviews: streamed questions, text or voice answers, live transcripts for recruiters.</p>
      </header>
      <section aria-live="polite" className={`status status-${status.state}`}>
        <h2>Server status</h2>
        {status.state === 'checking' && <p>Checking…</p>}
        {status.state === 'ready' && (
          <ul>
            {Object.entries(status.checks).map(([name, result]) => (
              <li key={name}>
                {name}: {result}
              </li>
            ))}
          </ul>
        )}
        {status.state === 'unavailable' && <p role="alert">Unavailable: {status.reason}</p>}
      </section>
    </main>
  );
}
