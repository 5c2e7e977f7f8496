import { useEffect, useReducer, useState } from 'react';
import { initialLiveView, reduceLiveView, type LiveView } from './liveView.js';
import { bindSessionEvents, connectErrorBody, connectInterview, isFatalConnectError, type InterviewSocket } from './sockets.js';

export type InterviewConnector = (auth: { clientSessionId: string; candidateToken: string }) => InterviewSocket;

/**
 * The candidate's `/interview` socket and the live view it feeds. A reconnect
 * rebuilds the view from the new snapshot (see liveView.ts); a refused
 * handshake (bad token, unknown session) stops reconnecting and says why.
 */
export function useInterviewSocket(
  auth: { clientSessionId: string; candidateToken: string } | null,
  connect: InterviewConnector = connectInterview,
): { live: LiveView; socket: InterviewSocket | null } {
  const [live, dispatch] = useReducer(reduceLiveView, undefined, initialLiveView);
  const [socket, setSocket] = useState<InterviewSocket | null>(null);
  const clientSessionId = auth?.clientSessionId;
  const candidateToken = auth?.candidateToken;

  useEffect(() => {
    if (!clientSessionId || !candidateToken) return;
    const s = connect({ clientSessionId, candidateToken });
    let retry: ReturnType<typeof setTimeout> | undefined;
    s.on('connect', () => dispatch({ type: 'connected' }));
    s.on('disconnect', (reason) => {
      dispatch({ type: 'disconnected' });
      // The server closed us on purpose (e.g. a failed snapshot): come back.
      if (reason === 'io server disconnect') retry = setTimeout(() => s.connect(), 1_000);
    });
    s.on('connect_error', (err) => {
      const body = connectErrorBody(err);
      if (isFatalConnectError(body.code)) {
        dispatch({ type: 'failed', code: body.code, message: body.message });
        return;
      }
      dispatch({ type: 'disconnected' });
      // A middleware refusal is not retried by socket.io itself; transport errors are.
      if (!s.active) retry = setTimeout(() => s.connect(), 2_000);
    });
    s.on('session:state', (snapshot) => dispatch({ type: 'event', event: { type: 'session:state', payload: snapshot } }));
    const unbind = bindSessionEvents(s, (event) => dispatch({ type: 'event', event }));
    setSocket(s);
    return () => {
      clearTimeout(retry);
      unbind();
      s.removeAllListeners();
      s.disconnect();
      setSocket(null);
    };
  }, [clientSessionId, candidateToken, connect]);

  return { live, socket };
}
