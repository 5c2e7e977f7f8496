import { useState } from 'react';
import type { ExportFormat } from '../../../shared/export.js';
import { describeError } from '../lib/api.js';
import { EXPORT_FORMATS, downloadWithToken } from '../lib/download.js';

/** "Download: PDF · Markdown · JSON" — each one click, authorised with `token`. */
export function ExportButtons({ label, pathFor, token, fileStem }: { label: string; pathFor: (format: ExportFormat) => string; token: string; fileStem: string }) {
  const [busy, setBusy] = useState<ExportFormat | null>(null);
  const [error, setError] = useState<string | null>(null);
  const download = (format: ExportFormat) => {
    setBusy(format);
    setError(null);
    downloadWithToken(pathFor(format), token, `${fileStem}.${format}`)
      .catch((err: unknown) => setError(describeError(err)))
      .finally(() => setBusy(null));
  };
  return (
    <p className="export-buttons small" data-testid="export-buttons">
      {label}{' '}
      {EXPORT_FORMATS.map(({ format, label: text }) => (
        <button key={format} type="button" className="link-button small" disabled={busy !== null} onClick={() => download(format)} aria-label={`${label} ${text}`}>
          {busy === format ? `${text}…` : text}
        </button>
      ))}
      {error && (
        <span role="alert" className="field-error">
          {' '}
          {error}
        </span>
      )}
    </p>
  );
}
