import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { ApiError, describeError, fetchSessionByClient } from './api.js';
import { deadlineIn, initialResults, nextPollIn, reduceResults, type ResultsState } from './resultsMachine.js';
import { connectInterview } from './sockets.js';
import type { StoredSession } from './storage.js';

/**
 * Drives the results state machine (resultsMachine.ts): polls on its
 * schedule, fetches at once on a socket push, and ticks at its deadlines.
 */
export function useResults(session: StoredSession): { state: ResultsState; retry: () => void } {
  const [state, dispatch] = useReducer(reduceResults, Date.now(), initialResults);
  const [fetchSignal, setFetchSignal] = useState(0);
  const fetching = useRef(false);
  const { clientSessionId, candidateToken } = session;

  const fetchNow = useCallback(async () => {
    if (fetching.current) return;
    fetching.current = true;
    try {
      const data = await fetchSessionByClient(clientSessionId, candidateToken);
      dispatch({ type: 'fetched', data, now: Date.now() });
    } catch (err) {
      const fatal = err instanceof ApiError && (err.status === 401 || err.status === 403 || err.status === 404);
      dispatch({ type: 'fetch_failed', message: describeError(err), fatal, now: Date.now() });
    } finally {
      fetching.current = false;
    }
  }, [clientSessionId, candidateToken]);

  // Poll on the machine's schedule; a push (fetchSignal) fetches at once.
  useEffect(() => {
    const delay = nextPollIn(state);
    if (delay === null) return;
    const timer = setTimeout(() => void fetchNow(), delay);
    return () => clearTimeout(timer);
  }, [state, fetchNow]);

  useEffect(() => {
    if (fetchSignal > 0) void fetchNow();
  }, [fetchSignal, fetchNow]);

  // Deadlines fire even when a fetch hangs.
  useEffect(() => {
    const ms = deadlineIn(state, Date.now());
    if (ms === null) return;
    const timer = setTimeout(() => dispatch({ type: 'tick', now: Date.now() }), ms + 10);
    return () => clearTimeout(timer);
  }, [state]);

  // Pushes from the session's room.
  useEffect(() => {
    const socket = connectInterview({ clientSessionId, candidateToken });
    const poke = () => setFetchSignal((n) => n + 1);
    socket.on('session:status', (p) => {
      dispatch({ type: 'pushed_status', status: p.status, now: Date.now() });
      poke();
    });
    socket.on('session:linked', poke);
    socket.on('evaluation:ready', (p) => {
      dispatch({ type: 'pushed_evaluation', evaluationStatus: p.evaluationStatus, now: Date.now() });
      poke();
    });
    socket.on('connect_error', () => undefined);
    return () => {
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, [clientSessionId, candidateToken]);

  const retry = useCallback(() => dispatch({ type: 'retry', now: Date.now() }), []);
  return { state, retry };
}
