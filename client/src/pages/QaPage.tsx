import { useEffect, useId, useState } from 'react';
import { Link } from 'wouter';
import type { RoleSummary } from '../../../shared/protocol.js';
import { describeError, fetchRoles } from '../lib/api.js';
import { NotSimulatedError, SCENARIOS, SERVER_ONLY_SCENARIOS, runScenario, type RunResult, type Scenario } from '../lib/qa.js';
import { useTitle } from '../lib/useTitle.js';

type RowState = { kind: 'idle' } | { kind: 'running' } | { kind: 'done'; result: RunResult } | { kind: 'error'; message: string };

function observed(result: RunResult): string {
  const o = result.observation;
  const parts = [`status ${o.status ?? '—'}`, `link ${o.linkedBy ?? 'none'}`];
  if (o.forgedStatus !== undefined) parts.unshift(`forged → ${o.forgedStatus}`);
  if (o.voiceState) parts.push(`voice ${o.voiceState}`);
  return parts.join(', ');
}

/**
 * QA console: webhook scenarios through the voice simulator's per-session
 * controls. Each run makes its own session (named "QA …", visible in the
 * recruiter dashboard), so every scenario is reproducible from one click.
 */
export function QaPage() {
  const [roles, setRoles] = useState<RoleSummary[]>([]);
  useTitle('QA console');
  const [role, setRole] = useState('');
  const [rows, setRows] = useState<Record<string, RowState>>({});
  const [log, setLog] = useState<string[]>([]);
  const [disabled, setDisabled] = useState<string | null>(null);
  const id = useId();

  useEffect(() => {
    fetchRoles().then(
      (list) => {
        setRoles(list);
        setRole((r) => r || list[0]?.id || '');
      },
      (err: unknown) => setDisabled(`Roles could not be loaded: ${describeError(err)}`),
    );
  }, []);

  const busy = Object.values(rows).some((r) => r.kind === 'running');

  const run = async (scenario: Scenario) => {
    setRows((r) => ({ ...r, [scenario.id]: { kind: 'running' } }));
    const write = (line: string) => setLog((l) => [...l.slice(-200), `[${scenario.id}] ${line}`]);
    try {
      const result = await runScenario(scenario, role, write);
      setRows((r) => ({ ...r, [scenario.id]: { kind: 'done', result } }));
    } catch (err) {
      if (err instanceof NotSimulatedError) setDisabled(err.message);
      write(`error: ${describeError(err)}`);
      setRows((r) => ({ ...r, [scenario.id]: { kind: 'error', message: describeError(err) } }));
    }
  };

  const runAll = async () => {
    for (const s of SCENARIOS) await run(s);
  };

  return (
    <main className="page recruiter-page qa-page">
      <header className="recruiter-header">
        <h1>QA console</h1>
        <Link href="/recruiter">Recruiter dashboard</Link>
      </header>
      <p className="muted">
        Works against the voice simulator only (a server without ELEVENLABS_API_KEY). Each run creates a voice session, answers one question, ends the
        call and watches how the post-call webhook is linked.
      </p>
      {disabled && (
        <p role="alert" className="banner banner-error">
          {disabled}
        </p>
      )}
      <div className="card">
        <div className="list-header">
          <label htmlFor={`${id}-role`}>Role</label>
          <select id={`${id}-role`} value={role} onChange={(e) => setRole(e.target.value)}>
            {roles.map((r) => (
              <option key={r.id} value={r.id}>
                {r.title}
              </option>
            ))}
          </select>
          <button type="button" onClick={() => void runAll()} disabled={busy || !role || disabled !== null}>
            Run all
          </button>
        </div>
        <table className="sessions qa-table">
          <thead>
            <tr>
              <th scope="col">Scenario</th>
              <th scope="col">Expected</th>
              <th scope="col">Observed</th>
              <th scope="col">Result</th>
              <th scope="col">Run</th>
            </tr>
          </thead>
          <tbody>
            {SCENARIOS.map((s) => {
              const row = rows[s.id] ?? { kind: 'idle' };
              return (
                <tr key={s.id} data-testid={`qa-${s.id}`}>
                  <td data-label="Scenario">{s.title}</td>
                  <td data-label="Expected">{s.expected}</td>
                  <td data-label="Observed">
                    {row.kind === 'done' ? observed(row.result) : row.kind === 'error' ? row.message : row.kind === 'running' ? 'running…' : '—'}
                    {row.kind === 'done' && <div className="muted small">{row.result.clientSessionId}</div>}
                  </td>
                  <td data-label="Result">
                    {row.kind === 'done' ? (
                      <span className={row.result.passed ? 'pill pill-active' : 'pill pill-abandoned'}>{row.result.passed ? 'pass' : 'FAIL'}</span>
                    ) : row.kind === 'error' ? (
                      <span className="pill pill-abandoned">error</span>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td data-label="Run">
                    <button type="button" className="secondary" onClick={() => void run(s)} disabled={busy || !role || disabled !== null} aria-label={`Run: ${s.title}`}>
                      Run
                    </button>
                  </td>
                </tr>
              );
            })}
            {SERVER_ONLY_SCENARIOS.map((s) => (
              <tr key={s.id}>
                <td data-label="Scenario">{s.title}</td>
                <td data-label="Expected">{s.expected}</td>
                <td data-label="Observed" colSpan={3}>
                  Needs a correctly signed webhook, which only the server can produce: <code>{s.command}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <section className="card" aria-labelledby={`${id}-log`}>
        <h2 id={`${id}-log`}>Log</h2>
        <pre className="qa-log" role="log" aria-live="polite">
          {log.join('\n') || 'Nothing run yet.'}
        </pre>
      </section>
    </main>
  );
}
