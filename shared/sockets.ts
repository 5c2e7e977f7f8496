import type { NamespaceSpec } from './contract.js';
import { interviewAuthSchema, interviewClientEvents, interviewServerEvents } from './events.js';
import { monitorAuthSchema, monitorClientEvents, monitorServerEvents } from './monitor.js';

/**
 * The socket.io catalogue (docs/api.md): both namespaces with their handshake and
 * their event maps (shared/events.ts, shared/monitor.ts). /api/asyncapi.json is
 * generated from it; a test fails when a handler registered on a namespace is
 * missing here, or an event listed here has no handler.
 */
export const SOCKET_NAMESPACES = {
  interview: {
    path: '/interview',
    auth: 'candidate',
    summary: "One candidate's interview: the snapshot on connect, streamed questions, answers, voice and focus events",
    handshake: interviewAuthSchema,
    connectErrors: ['UNAUTHORIZED', 'NOT_FOUND', 'DEPENDENCY_DOWN', 'RATE_LIMITED'],
    clientEvents: interviewClientEvents,
    serverEvents: interviewServerEvents,
    // A candidate sending a recruiter event gets FORBIDDEN, not silence.
    refusedEvents: Object.keys(monitorClientEvents),
  },
  monitor: {
    path: '/monitor',
    auth: 'recruiter',
    summary: 'Recruiters: the live list of sessions and any one session watched live, gap-free',
    handshake: monitorAuthSchema,
    connectErrors: ['UNAUTHORIZED', 'FORBIDDEN', 'RATE_LIMITED'],
    clientEvents: monitorClientEvents,
    serverEvents: monitorServerEvents,
  },
} satisfies Record<string, NamespaceSpec>;
