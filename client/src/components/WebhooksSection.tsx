import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { WEBHOOK_EVENT_TYPES, type WebhookDeliveryView, type WebhookEndpointView, type WebhookEventType } from '../../../shared/webhooksOut.js';
import { ApiError, describeError } from '../lib/api.js';
import {
  GRACE_CHOICES,
  createEndpoint,
  deleteEndpoint,
  lastAttemptText,
  listDeliveries,
  listEndpoints,
  listOpeningTitles,
  replayDelivery,
  rotateSecret,
  updateEndpoint,
} from '../lib/webhooks.js';

const EVENT_HELP: Record<WebhookEventType, string> = {
  'interview.completed': 'an interview ended (text: at once; voice: once its call transcript is linked)',
  'evaluation.ready': 'the evaluation and scores are ready',
  'voice.linked': 'a voice call’s transcript was linked to its interview',
  'voice.orphaned': 'a voice call could not be matched to an interview',
  'interview.abandoned': 'a voice interview’s transcript never arrived',
};

/** The signing secret, shown once after create or rotate, to copy into the receiver. */
function SecretOnce({ secret, onDone }: { secret: string; onDone: () => void }) {
  const id = useId();
  const [copied, setCopied] = useState(false);
  return (
    <div className="banner banner-info secret-once" role="status" data-testid="secret-once">
      <label htmlFor={`${id}-secret`}>
        <strong>Signing secret — shown only now.</strong> Store it in your receiver to verify the <code>webhook-signature</code> header.
      </label>
      <input id={`${id}-secret`} readOnly value={secret} onFocus={(e) => e.currentTarget.select()} data-testid="secret-value" />
      <button
        type="button"
        className="secondary"
        onClick={() => {
          void navigator.clipboard?.writeText(secret).then(() => setCopied(true), () => undefined);
        }}
      >
        {copied ? 'Copied' : 'Copy'}
      </button>{' '}
      <button type="button" onClick={onDone}>
        I have stored it
      </button>
    </div>
  );
}

function CreateEndpointForm({ token, openings, onCreated }: { token: string; openings: Array<{ id: string; title: string }>; onCreated: (secret: string) => void }) {
  const id = useId();
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<WebhookEventType[]>([...WEBHOOK_EVENT_TYPES]);
  const [openingId, setOpeningId] = useState('');
  const [enabled, setEnabled] = useState(true);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaving(true);
    setErrors({});
    try {
      const created = await createEndpoint(token, { url: url.trim(), events, enabled, ...(openingId ? { openingId } : {}) });
      setUrl('');
      onCreated(created.secret);
    } catch (err) {
      const fields: Record<string, string> = {};
      if (err instanceof ApiError && err.body.details) for (const d of err.body.details) fields[d.path.split('.')[0] ?? 'form'] ??= d.message;
      if (Object.keys(fields).length === 0) fields['form'] = describeError(err);
      setErrors(fields);
    } finally {
      setSaving(false);
    }
  };

  return (
    <form className="card webhook-form" onSubmit={(e) => void submit(e)} aria-labelledby={`${id}-title`} noValidate>
      <h3 id={`${id}-title`}>Add an endpoint</h3>
      <label htmlFor={`${id}-url`}>URL that receives the webhooks</label>
      <input
        id={`${id}-url`}
        type="url"
        inputMode="url"
        placeholder="https://ats.example.com/hooks/candor"
        value={url}
        onChange={(e) => setUrl(e.target.value)}
        aria-invalid={errors['url'] ? true : undefined}
        aria-describedby={errors['url'] ? `${id}-url-err` : undefined}
        required
      />
      {errors['url'] && (
        <p id={`${id}-url-err`} className="field-error">
          {errors['url']}
        </p>
      )}
      <fieldset>
        <legend>Events</legend>
        {WEBHOOK_EVENT_TYPES.map((t) => (
          <label key={t} className="checkbox">
            <input type="checkbox" checked={events.includes(t)} onChange={(e) => setEvents((cur) => (e.target.checked ? [...cur, t] : cur.filter((x) => x !== t)))} />{' '}
            <code>{t}</code> <span className="muted small">— {EVENT_HELP[t]}</span>
          </label>
        ))}
        {errors['events'] && <p className="field-error">{errors['events']}</p>}
      </fieldset>
      <label htmlFor={`${id}-opening`}>Sessions of</label>
      <select id={`${id}-opening`} value={openingId} onChange={(e) => setOpeningId(e.target.value)}>
        <option value="">every opening (and sessions without one)</option>
        {openings.map((o) => (
          <option key={o.id} value={o.id}>
            {o.title}
          </option>
        ))}
      </select>
      <label className="checkbox">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Enabled
      </label>
      {errors['form'] && (
        <p role="alert" className="field-error">
          {errors['form']}
        </p>
      )}
      <button type="submit" disabled={saving || events.length === 0}>
        {saving ? 'Adding…' : 'Add endpoint'}
      </button>
    </form>
  );
}

function AttemptList({ d }: { d: WebhookDeliveryView }) {
  return (
    <ol className="attempts small" data-testid="attempts">
      {d.attempts.map((a) => (
        <li key={a.n}>
          #{a.n} {new Date(a.at).toLocaleString()} · {a.trigger} · {a.statusCode !== null ? `HTTP ${a.statusCode}` : '—'}
          {a.latencyMs !== null ? ` · ${a.latencyMs} ms` : ''}
          {a.error ? ` · ${a.error.replace('_', ' ')}` : ''} <span className="muted">({a.node.split('#')[0]})</span>
        </li>
      ))}
    </ol>
  );
}

const STATE_LABEL: Record<WebhookDeliveryView['state'], string> = { pending: 'Retrying', delivered: 'Delivered', failed: 'Failed' };

function DeliveryLog({ token, endpoint }: { token: string; endpoint: WebhookEndpointView }) {
  const [items, setItems] = useState<WebhookDeliveryView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const load = useCallback(() => {
    listDeliveries(token, endpoint.id).then(
      (list) => {
        setItems(list);
        setError(null);
      },
      (err: unknown) => setError(describeError(err)),
    );
  }, [token, endpoint.id]);
  useEffect(() => {
    load();
    const timer = setInterval(load, 5_000);
    return () => clearInterval(timer);
  }, [load]);

  const replay = async (d: WebhookDeliveryView) => {
    try {
      const updated = await replayDelivery(token, endpoint.id, d.id);
      setItems((cur) => cur?.map((x) => (x.id === d.id ? updated : x)) ?? null);
      setNotice(`Replay queued: ${d.type} with the same webhook-id ${d.eventId.slice(0, 8)}…`);
    } catch (err) {
      setNotice(describeError(err));
    }
  };

  if (error) return <p role="alert" className="field-error">{error}</p>;
  if (!items) return <p role="status">Loading deliveries…</p>;
  return (
    <div className="delivery-log" data-testid="delivery-log">
      {notice && (
        <p role="status" className="small">
          {notice}
        </p>
      )}
      {items.length === 0 ? (
        <p className="muted">No deliveries yet.</p>
      ) : (
        <table className="sessions">
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">State</th>
              <th scope="col">Attempts</th>
              <th scope="col">Last attempt</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((d) => (
              <tr key={d.id} data-testid="delivery-row">
                <td data-label="Event">
                  <code>{d.type}</code>
                  <div className="muted small" title="webhook-id">
                    {d.eventId}
                  </div>
                </td>
                <td data-label="State">
                  <span className={`pill pill-${d.state === 'delivered' ? 'completed' : d.state === 'failed' ? 'abandoned' : 'paused'}`}>{STATE_LABEL[d.state]}</span>
                  {d.failure && <div className="muted small">{d.failure.replace('_', ' ')}</div>}
                  {d.state === 'pending' && d.nextAttemptAt && <div className="muted small">next {new Date(d.nextAttemptAt).toLocaleTimeString()}</div>}
                </td>
                <td data-label="Attempts">
                  <button type="button" className="link-button" aria-expanded={open === d.id} onClick={() => setOpen(open === d.id ? null : d.id)}>
                    {d.attemptCount} attempt{d.attemptCount === 1 ? '' : 's'}
                  </button>
                  {open === d.id && <AttemptList d={d} />}
                </td>
                <td data-label="Last attempt">{lastAttemptText(d)}</td>
                <td>
                  <button type="button" className="secondary" disabled={d.inFlight || !endpoint.enabled} onClick={() => void replay(d)} title={endpoint.enabled ? undefined : 'Enable the endpoint first'}>
                    Replay
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <button type="button" className="link-button small" onClick={load}>
        Refresh
      </button>
    </div>
  );
}

function EndpointCard({
  token,
  endpoint,
  openingTitle,
  onChanged,
  onDeleted,
  onSecret,
}: {
  token: string;
  endpoint: WebhookEndpointView;
  openingTitle: string | null;
  onChanged: (e: WebhookEndpointView) => void;
  onDeleted: () => void;
  onSecret: (secret: string) => void;
}) {
  const id = useId();
  const [showLog, setShowLog] = useState(false);
  const [grace, setGrace] = useState<number>(GRACE_CHOICES[2].ms);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const act = async (fn: () => Promise<void>) => {
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(describeError(err));
    }
  };
  const status = endpoint.enabled ? 'Enabled' : endpoint.disabledReason === 'gone' ? 'Disabled — the receiver answered 410 Gone' : 'Disabled';
  return (
    <li className="card endpoint" data-testid="endpoint" aria-labelledby={`${id}-url`}>
      <p id={`${id}-url`} className="endpoint-url">
        <code>{endpoint.url}</code>
      </p>
      <p className="small">
        <span className={`pill pill-${endpoint.enabled ? 'active' : 'abandoned'}`} data-testid="endpoint-status">
          {status}
        </span>{' '}
        {endpoint.events.join(', ')} · {openingTitle ? `opening “${openingTitle}”` : 'every opening'}
      </p>
      <p className="muted small">
        Secret created {new Date(endpoint.secretCreatedAt).toLocaleString()}
        {endpoint.previousSecretValidUntil && <> · the previous secret still signs until {new Date(endpoint.previousSecretValidUntil).toLocaleString()}</>}
      </p>
      <div className="inline-fields">
        <button
          type="button"
          className="secondary"
          onClick={() => void act(async () => onChanged(await updateEndpoint(token, endpoint.id, { enabled: !endpoint.enabled })))}
        >
          {endpoint.enabled ? 'Disable' : 'Enable'}
        </button>
        <label htmlFor={`${id}-grace`}>Old secret stops</label>
        <select id={`${id}-grace`} value={grace} onChange={(e) => setGrace(Number(e.target.value))}>
          {GRACE_CHOICES.map((g) => (
            <option key={g.ms} value={g.ms}>
              {g.label}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="secondary"
          onClick={() =>
            void act(async () => {
              const rotated = await rotateSecret(token, endpoint.id, grace);
              const { secret, ...view } = rotated;
              onChanged(view);
              onSecret(secret);
            })
          }
        >
          Rotate secret
        </button>
        <button type="button" className="secondary" aria-expanded={showLog} onClick={() => setShowLog((v) => !v)}>
          {showLog ? 'Hide delivery log' : 'Delivery log'}
        </button>
        {confirmDelete ? (
          <>
            <button type="button" className="danger" onClick={() => void act(async () => {
              await deleteEndpoint(token, endpoint.id);
              onDeleted();
            })}>
              Delete for good
            </button>
            <button type="button" className="link-button" onClick={() => setConfirmDelete(false)}>
              Keep it
            </button>
          </>
        ) : (
          <button type="button" className="secondary" onClick={() => setConfirmDelete(true)}>
            Delete
          </button>
        )}
      </div>
      {error && (
        <p role="alert" className="field-error">
          {error}
        </p>
      )}
      {showLog && <DeliveryLog token={token} endpoint={endpoint} />}
    </li>
  );
}

/** Dashboard view of outgoing webhooks (docs/webhooks-out.md): endpoints, their secrets (once), delivery logs and replays. */
export function WebhooksSection({ token }: { token: string }) {
  const [endpoints, setEndpoints] = useState<WebhookEndpointView[] | null>(null);
  const [openings, setOpenings] = useState<Array<{ id: string; title: string }>>([]);
  const [error, setError] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const id = useId();
  const reload = useCallback(() => {
    listEndpoints(token).then(setEndpoints, (err: unknown) => setError(describeError(err)));
  }, [token]);
  useEffect(() => {
    reload();
    listOpeningTitles(token).then(setOpenings, () => undefined);
  }, [reload, token]);

  return (
    <section className="card webhooks" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Webhooks</h2>
      <p className="muted small">
        Candor posts signed events (Standard Webhooks) to these URLs, retrying for up to a day. Verify each request with the endpoint’s secret and dedupe on{' '}
        <code>webhook-id</code>.
      </p>
      {secret && <SecretOnce secret={secret} onDone={() => setSecret(null)} />}
      <CreateEndpointForm
        token={token}
        openings={openings}
        onCreated={(s) => {
          setSecret(s);
          reload();
        }}
      />
      {error && (
        <p role="alert" className="field-error">
          {error}
        </p>
      )}
      {endpoints === null && !error && <p role="status">Loading endpoints…</p>}
      {endpoints?.length === 0 && <p className="muted">No endpoints yet.</p>}
      <ul className="endpoints">
        {endpoints?.map((e) => (
          <EndpointCard
            key={e.id}
            token={token}
            endpoint={e}
            openingTitle={e.openingId ? (openings.find((o) => o.id === e.openingId)?.title ?? e.openingId) : null}
            onChanged={(changed) => setEndpoints((cur) => cur?.map((x) => (x.id === changed.id ? changed : x)) ?? null)}
            onDeleted={() => setEndpoints((cur) => cur?.filter((x) => x.id !== e.id) ?? null)}
            onSecret={setSecret}
          />
        ))}
      </ul>
    </section>
  );
}
