import { useEffect, useState } from 'react';

export type ServerStatus =
  | { state: 'checking' }
  | { state: 'ready'; checks: Record<string, string> }
  | { state: 'unavailable'; reason: string };

const POLL_MS = 5_000;

/** Polls /readyz so the page says plainly whether the server and its database are up. */
export function useServerStatus(): ServerStatus {
  const [status, setStatus] = useState<ServerStatus>({ state: 'checking' });
  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const check = async () => {
      try {
        const res = await fetch('/readyz', { cache: 'no-store' });
        const body = (await res.json()) as { checks?: Record<string, string>; error?: { message?: string } };
        if (cancelled) return;
        setStatus(
          res.ok
            ? { state: 'ready', checks: body.checks ?? {} }
            : { state: 'unavailable', reason: body.error?.message ?? `HTTP ${res.status}` },
        );
      } catch {
        if (!cancelled) setStatus({ state: 'unavailable', reason: 'server unreachable' });
      }
      if (!cancelled) timer = setTimeout(check, POLL_MS);
    };
    void check();
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, []);
  return status;
}
