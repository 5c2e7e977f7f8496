import { io, type Socket } from 'socket.io-client';
import type { ErrorBody } from '../../../shared/errors.js';
import { SESSION_EVENT_NAMES, type InterviewClientToServer, type InterviewServerToClient, type SessionEventMap } from '../../../shared/events.js';
import type { MonitorClientToServer, MonitorServerToClient } from '../../../shared/monitor.js';
import type { SessionEvent } from '../../../shared/sessionView.js';

export type InterviewSocket = Socket<InterviewServerToClient, InterviewClientToServer>;
export type MonitorSocket = Socket<MonitorServerToClient, MonitorClientToServer>;


/** Both namespaces emit the session events; bound here by name from the complete list in ./shared. */
interface UntypedEmitter {
  on(event: string, listener: (payload: unknown) => void): unknown;
  off(event: string, listener: (payload: unknown) => void): unknown;
}

/**
 * Forwards every session event of `socket` to `dispatch` as a SessionEvent.
 * Returns the unbind function.
 */
export function bindSessionEvents(socket: InterviewSocket | MonitorSocket, dispatch: (event: SessionEvent) => void): () => void {
  const emitter = socket as unknown as UntypedEmitter;
  const listeners = SESSION_EVENT_NAMES.map((name) => {
    // The payload type is the one SessionEventMap gives `name`: both namespaces are typed from it.
    const listener = (payload: unknown) => dispatch({ type: name, payload: payload as SessionEventMap[typeof name] } as SessionEvent);
    emitter.on(name, listener);
    return [name, listener] as const;
  });
  return () => {
    for (const [name, listener] of listeners) emitter.off(name, listener);
  };
}

/**
 * WebSocket only, no HTTP long-polling: one connection per socket, so no
 * sticky sessions are needed between replicas (docs/client.md).
 */
const OPTIONS = { transports: ['websocket'], forceNew: true, reconnectionDelay: 500, reconnectionDelayMax: 4000 } as const;

export function connectInterview(auth: { clientSessionId: string; candidateToken: string }): InterviewSocket {
  return io('/interview', { ...OPTIONS, transports: [...OPTIONS.transports], auth });
}

export function connectMonitor(token: string): MonitorSocket {
  return io('/monitor', { ...OPTIONS, transports: [...OPTIONS.transports], auth: { token } });
}

/** The error body a socket `connect_error` carries (server/src/realtime/events.ts), or a generic one. */
export function connectErrorBody(err: Error & { data?: unknown }): ErrorBody {
  const data = err.data;
  if (typeof data === 'object' && data !== null && typeof (data as { code?: unknown }).code === 'string') {
    const { code, message } = data as { code: ErrorBody['code']; message?: unknown };
    return { code, message: typeof message === 'string' ? message : err.message };
  }
  return { code: 'DEPENDENCY_DOWN', message: err.message || 'connection failed' };
}

/** connect_error codes after which retrying the same credentials cannot help. */
export function isFatalConnectError(code: string): boolean {
  return code === 'UNAUTHORIZED' || code === 'FORBIDDEN' || code === 'NOT_FOUND' || code === 'VALIDATION';
}
