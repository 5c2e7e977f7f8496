import { useEffect, useId, useState } from 'react';
import { Link } from 'wouter';
import type { RoleSummary } from '../../../shared/protocol.js';
import { describeError, fetchQaStatus, fetchRoles } from '../lib/api.js';
import { NotSimulatedError, SCENARIOS, runScenario, type RunResult, type Scenario } from '../lib/qa.js';
import { useTitle } from '../lib/useTitle.js';

type RowState = { kind: 'idle' } | { kind: 'running' } | { kind: 'done'; result: RunResult } | { kind: 'error'; message: string };

/** Whether the server runs the voice simulator (`GET /api/qa/status`). */
type Availability = { kind: 'checking' } | { kind: 'simulator' } | { kind: 'no-simulator' } | { kind: 'error'; message: string };

export const NO_SIMULATOR_MESSAGE = 'QA console needs the voice simulator (no ELEVENLABS_API_KEY).';

function observed(result: RunResult): string {
  const o = result.observation;
  const parts = [`status ${o.status ?? '—'}`, `link ${o.linkedBy ?? 'none'}`];
  if (o.forgedStatus !== undefined) parts.unshift(`forged → ${o.forgedStatus}`);
  if (o.voiceState) parts.push(`voice ${o.voiceState}`);
  if (o.transcriptLines > 0 || o.liveLines !== undefined) parts.push(`transcript ${o.transcriptLines}${o.liveLines !== undefined ? `/${o.liveLines}` : ''} lines`);
  return parts.join(', ');
}

function time(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString(undefined, { hour12: false });
}

function Outcome({ result }: { result: RunResult }) {
  const { deliveries } = result.observation;
  return (
    <>
      {observed(result)}
      {deliveries && (
        <div className="qa-deliveries">
          <span className="small">Deliveries:</span>
          {deliveries.length === 0 ? (
            <span className="muted small"> none</span>
          ) : (
            <ol data-testid="qa-deliveries">
              {deliveries.map((d, i) => (
                <li key={i}>
                  <span className={d.status === 200 ? 'pill pill-active' : 'pill pill-abandoned'}>{d.status}</span> {d.kind}{' '}
                  <time className="muted small" dateTime={d.at}>
                    {time(d.at)}
                  </time>
                </li>
              ))}
            </ol>
          )}
        </div>
      )}
      {result.problems.length > 0 && (
        <ul className="field-error small" data-testid="qa-problems">
          {result.problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      <div className="muted small">{result.clientSessionId}</div>
    </>
  );
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
  const [availability, setAvailability] = useState<Availability>({ kind: 'checking' });
  const id = useId();

  useEffect(() => {
    let cancelled = false;
    fetchQaStatus().then(
      (status) => !cancelled && setAvailability({ kind: status.simulator ? 'simulator' : 'no-simulator' }),
      (err: unknown) => !cancelled && setAvailability({ kind: 'error', message: `The QA status could not be loaded: ${describeError(err)}` }),
    );
    return () => {
      cancelled = true;
    };
  }, []);

  const available = availability.kind === 'simulator';
  useEffect(() => {
    if (!available) return;
    fetchRoles().then(
      (list) => {
        setRoles(list);
        setRole((r) => r || list[0]?.id || '');
      },
      (err: unknown) => setDisabled(`Roles could not be loaded: ${describeError(err)}`),
    );
  }, [available]);

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
      {availability.kind === 'checking' && <p role="status">Checking whether the server runs the voice simulator…</p>}
      {availability.kind === 'no-simulator' && (
        <p role="alert" className="banner banner-error" data-testid="qa-unavailable">
          {NO_SIMULATOR_MESSAGE}
        </p>
      )}
      {availability.kind === 'error' && (
        <p role="alert" className="banner banner-error">
          {availability.message}
        </p>
      )}
      {available && (
        <>
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
                        {row.kind === 'done' ? <Outcome result={row.result} /> : row.kind === 'error' ? row.message : row.kind === 'running' ? 'running…' : '—'}
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
              </tbody>
            </table>
          </div>
          <section className="card" aria-labelledby={`${id}-log`}>
            <h2 id={`${id}-log`}>Log</h2>
            <pre className="qa-log" role="log" aria-live="polite">
              {log.join('\n') || 'Nothing run yet.'}
            </pre>
          </section>
        </>
      )}
    </main>
  );
}
