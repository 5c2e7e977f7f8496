import type { ExportFocusSummary } from '../../../shared/export.js';
import { FOCUS_SIGNALS_MAX, type FocusSignal } from '../../../shared/interview.js';

/**
 * What a session's focus signals add up to (pure). Hidden time is summed over
 * hidden -> visible pairs in time order; a leave with no return counts until
 * `end` (the interview's end, or the export's time for a running one).
 */
export function summariseFocus(signals: readonly FocusSignal[] | undefined, end: Date): ExportFocusSummary {
  const sorted = [...(signals ?? [])].sort((a, b) => a.at.getTime() - b.at.getTime());
  let hiddenCount = 0;
  let hiddenMs = 0;
  let hiddenSince: Date | null = null;
  let pasteCount = 0;
  let pastedChars = 0;
  for (const s of sorted) {
    if (s.kind === 'paste') {
      pasteCount += 1;
      pastedChars += s.length;
    } else if (s.state === 'hidden') {
      hiddenCount += 1;
      hiddenSince ??= s.at;
    } else if (hiddenSince) {
      hiddenMs += Math.max(0, s.at.getTime() - hiddenSince.getTime());
      hiddenSince = null;
    }
  }
  if (hiddenSince) hiddenMs += Math.max(0, end.getTime() - hiddenSince.getTime());
  return {
    signals: sorted.length,
    hiddenCount,
    hiddenSecs: Math.round(hiddenMs / 100) / 10,
    pasteCount,
    pastedChars,
    firstAt: sorted[0]?.at.toISOString() ?? null,
    lastAt: sorted[sorted.length - 1]?.at.toISOString() ?? null,
    truncated: sorted.length >= FOCUS_SIGNALS_MAX,
  };
}
