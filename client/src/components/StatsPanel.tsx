import { useCallback, useEffect, useState } from 'react';
import type { InterviewStatus } from '../../../shared/interview.js';
import type { StatsResponse } from '../../../shared/stats.js';
import { describeError } from '../lib/api.js';
import { fetchStats } from '../lib/openings.js';
import { STATUS_LABEL } from './Progress.js';

interface Bar {
  label: string;
  value: number;
}

/** Plain SVG horizontal bars with the numbers written out (no chart library: ~40 lines, no colour-only meaning). */
export function BarChart({ title, bars, testId }: { title: string; bars: readonly Bar[]; testId?: string }) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const row = 22;
  const labelW = 110;
  const width = 320;
  const barW = width - labelW - 48;
  return (
    <figure className="chart" data-testid={testId}>
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${width} ${bars.length * row}`} width="100%" role="img" aria-label={`${title}: ${bars.map((b) => `${b.label} ${b.value}`).join(', ')}`}>
        {bars.map((b, i) => (
          <g key={b.label} transform={`translate(0 ${i * row})`}>
            <text x={labelW - 6} y={row / 2 + 4} textAnchor="end" fontSize="12" fill="currentColor">
              {b.label}
            </text>
            <rect x={labelW} y={4} width={Math.max(b.value > 0 ? 2 : 0, (b.value / max) * barW)} height={row - 8} rx={2} className="bar" />
            <text x={labelW + (b.value / max) * barW + 6} y={row / 2 + 4} fontSize="12" fill="currentColor">
              {b.value}
            </text>
          </g>
        ))}
      </svg>
    </figure>
  );
}

function duration(secs: number | null): string {
  if (secs === null) return '—';
  const m = Math.floor(secs / 60);
  return m > 0 ? `${m} min ${Math.round(secs % 60)} s` : `${Math.round(secs)} s`;
}

const STATUS_ORDER: InterviewStatus[] = ['created', 'active', 'paused', 'ended_pending_webhook', 'completed', 'abandoned', 'orphaned'];

/** `GET /api/stats` (all sessions or one opening's): totals, status and score charts, voice link health. Refreshed by hand (the query is not cheap). */
export function StatsPanel({ token, openingId, title }: { token: string; openingId?: string; title: string }) {
  const [stats, setStats] = useState<StatsResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  const load = useCallback(() => {
    setLoading(true);
    setError(null);
    fetchStats(token, openingId).then(
      (s) => {
        setStats(s);
        setLoading(false);
      },
      (err: unknown) => {
        setError(`Stats could not be loaded: ${describeError(err)}`);
        setLoading(false);
      },
    );
  }, [token, openingId]);

  useEffect(load, [load]);

  return (
    <section className="stats" aria-label={title} data-testid="stats">
      <header className="list-header">
        <h3>{title}</h3>
        <button type="button" className="secondary small" onClick={load} disabled={loading}>
          {loading ? 'Loading…' : 'Refresh'}
        </button>
      </header>
      {error && (
        <p role="alert" className="field-error">
          {error}
        </p>
      )}
      {stats && (
        <>
          <dl className="stat-numbers">
            <div>
              <dt>Interviews</dt>
              <dd data-testid="stats-total">{stats.total}</dd>
            </div>
            <div>
              <dt>Completed</dt>
              <dd>{stats.completionRate === null ? '—' : `${Math.round(stats.completionRate * 100)} %`}</dd>
            </div>
            <div>
              <dt>Median length</dt>
              <dd>{duration(stats.medianDurationSecs)}</dd>
            </div>
            <div>
              <dt>Text / voice</dt>
              <dd>
                {stats.byMode.text ?? 0} / {stats.byMode.voice ?? 0}
              </dd>
            </div>
          </dl>
          <div className="charts">
            <BarChart title="By status" testId="chart-status" bars={STATUS_ORDER.map((s) => ({ label: STATUS_LABEL[s], value: stats.byStatus[s] ?? 0 }))} />
            <BarChart
              title={`Overall scores (${stats.scoredSessions} evaluated)`}
              testId="chart-scores"
              bars={stats.scoreDistribution.map((b) => ({ label: `${b.from}–${b.to}`, value: b.count }))}
            />
          </div>
          {stats.voice.sessions + stats.voice.orphans > 0 && (
            <p className="small">
              Voice calls: {stats.voice.sessions} · waiting for transcript {stats.voice.pending} · ambiguous {stats.voice.ambiguous} · orphaned {stats.voice.orphans} · missing{' '}
              {stats.voice.missing}
            </p>
          )}
          <p className="muted small">
            As of {new Date(stats.computedAt).toLocaleTimeString(undefined, { hour12: false })} ({stats.tookMs} ms)
          </p>
        </>
      )}
    </section>
  );
}
