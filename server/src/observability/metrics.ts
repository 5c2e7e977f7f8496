import client from 'prom-client';

/**
 * One registry per server instance (not prom-client's global), so tests and
 * multiple in-process servers never collide on metric names.
 */
export interface Metrics {
  registry: client.Registry;
  httpDuration: client.Histogram<'method' | 'route' | 'status'>;
}

export function createMetrics(opts: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new client.Registry();
  if (opts.defaultMetrics ?? true) client.collectDefaultMetrics({ register: registry, prefix: 'candor_' });
  const httpDuration = new client.Histogram({
    name: 'candor_http_request_duration_seconds',
    help: 'HTTP request latency by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return { registry, httpDuration };
}

/** Realtime counters, created before the parts that count. */
export interface RealtimeCounters {
  /** Interviewer deltas streamed (a token frame may carry several). */
  tokensEmitted: client.Counter;
  /** `question:token` events sent per session (one per frame). */
  tokenFrames: client.Counter;
  /** How long a merged delta waited for its frame (TOKEN_FRAME_MS): the latency frames add. */
  frameHold: client.Histogram;
  watchJoins: client.Counter;
  redisPublishDropped: client.Counter;
  /** Socket handshakes refused by a limit or origin check, by reason (docs/operations.md). */
  socketsRefused: client.Counter<'reason'>;
}

export function createRealtimeCounters(metrics: Metrics): RealtimeCounters {
  const registers = [metrics.registry];
  return {
    tokensEmitted: new client.Counter({ name: 'candor_tokens_emitted_total', help: 'Question deltas streamed by the interviewer', registers }),
    tokenFrames: new client.Counter({ name: 'candor_token_frames_total', help: 'question:token events sent (a frame may carry several deltas)', registers }),
    frameHold: new client.Histogram({
      name: 'candor_token_frame_hold_seconds',
      help: 'How long the oldest delta of a merged frame waited before it was sent (TOKEN_FRAME_MS)',
      buckets: [0.001, 0.002, 0.004, 0.008, 0.012, 0.016, 0.024, 0.033, 0.05, 0.1],
      registers,
    }),
    watchJoins: new client.Counter({ name: 'candor_watch_joins_total', help: 'Recruiter session:watch joins', registers }),
    redisPublishDropped: new client.Counter({
      name: 'candor_redis_publish_dropped_total',
      help: 'Cross-node publishes dropped while Redis was unavailable',
      registers,
    }),
    socketsRefused: new client.Counter({
      name: 'candor_socket_connections_refused_total',
      help: 'Socket.IO handshakes refused: over SOCKET_MAX_CONNECTIONS_PER_IP, or from an origin not allowed',
      labelNames: ['reason'],
      registers,
    }),
  };
}

/** Gauges read their values when scraped. */
export function registerRealtimeGauges(
  metrics: Metrics,
  read: { socketsByNamespace: () => Record<string, number>; activeInterviews: () => number; streaming: () => number },
): void {
  const registers = [metrics.registry];
  new client.Gauge({
    name: 'candor_connected_sockets',
    help: 'Connected Socket.IO sockets on this node, by namespace',
    labelNames: ['namespace'] as const,
    registers,
    collect() {
      for (const [namespace, count] of Object.entries(read.socketsByNamespace())) this.set({ namespace }, count);
    },
  });
  new client.Gauge({
    name: 'candor_active_interviews',
    help: 'Interviews with a candidate connected to this node',
    registers,
    collect() {
      this.set(read.activeInterviews());
    },
  });
  new client.Gauge({
    name: 'candor_questions_streaming',
    help: 'Questions being generated and streamed by this node',
    registers,
    collect() {
      this.set(read.streaming());
    },
  });
}

/** Outgoing webhook attempts (docs/webhooks-out.md): outcome counts and latency. */
export function createWebhookMetrics(metrics: Metrics): (a: { outcome: 'delivered' | 'retry' | 'failed'; latencyMs: number | undefined }) => void {
  const registers = [metrics.registry];
  const attempts = new client.Counter({
    name: 'candor_webhook_attempts_total',
    help: 'Outgoing webhook attempts by what followed: delivered, retry (will be tried again) or failed (gave up, 410, endpoint disabled)',
    labelNames: ['outcome'],
    registers,
  });
  const latency = new client.Histogram({
    name: 'candor_webhook_attempt_duration_seconds',
    help: 'Outgoing webhook attempt latency until the response headers (or the error)',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  return ({ outcome, latencyMs }) => {
    attempts.inc({ outcome });
    if (latencyMs !== undefined) latency.observe(latencyMs / 1000);
  };
}
