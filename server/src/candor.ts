import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Express } from 'express';
import type { Connection } from 'mongoose';
import { createAdapter } from '@socket.io/redis-adapter';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { Redis } from 'ioredis';
import { Server as SocketServer } from 'socket.io';
import type { Config } from './config.js';
import { closeMongoose, connectMongoose, pingDatabase } from './db/connection.js';
import { EmbeddedMongo } from './db/embedded/index.js';
import { contractRouters } from './contract/router.js';
import { createRepository } from './db/repository/index.js';
import { createHttpApp } from './http/app.js';
import { OriginPolicy } from './http/middleware/origins.js';
import { httpRateLimiter } from './http/middleware/rateLimit.js';
import { candidateSessionsRouter, rolesRouter } from './http/sessions.js';
import { staticClientRouter } from './http/staticClient.js';
import { AnswerAssessor } from './interview/answerAssessor.js';
import { AnswerRateLimit } from './interview/answerRateLimit.js';
import { EvaluationRunner } from './interview/evaluationRunner.js';
import { MemoryInflightStore } from './interview/memoryInflight.js';
import { nodeIdentity } from './interview/nodeIdentity.js';
import { CandidatePresence } from './interview/presence.js';
import { QuestionCycle } from './interview/questionCycle.js';
import { TurnLeases } from './interview/turnLeases.js';
import { ROLES } from './interview/roles.js';
import { InterviewService } from './interview/service.js';
import { createOpenAiInterviewer } from './llm/openai/index.js';
import type { Interviewer } from './llm/port.js';
import { ScriptedInterviewer } from './llm/scripted/index.js';
import type { Logger } from './observability/logger.js';
import { createMetrics, createRealtimeCounters, createWebhookMetrics, registerRealtimeGauges } from './observability/metrics.js';
import { recruiterRouter } from './http/recruiter.js';
import { recruitersRouter } from './http/recruiters.js';
import { notesRouter } from './http/notes.js';
import { RecruiterAdmin } from './recruiters/admin.js';
import { RecruiterAuth } from './recruiters/auth.js';
import { NotesService } from './recruiters/notes.js';
import { SteeringService, STEERING_RATE } from './recruiters/nudges.js';
import { disconnectRecruiter, RevokedSocketSweep } from './realtime/recruiterSockets.js';
import { openingsRouter } from './http/openings.js';
import { FocusSignals } from './interview/focusSignals.js';
import { OpeningGuides } from './interview/openingGuide.js';
import { SocketBroadcaster } from './realtime/broadcaster.js';
import { attachInterviewNamespace } from './realtime/interviewNamespace.js';
import { attachMonitorNamespace } from './realtime/monitorNamespace.js';
import { ConnectionLimiter } from './realtime/connectionLimit.js';
import { connectRedis, failSoftPublisher } from './realtime/redis.js';
import { RedisInflightStore } from './realtime/redisInflight.js';
import { SessionChannel } from './realtime/sessionChannel.js';
import { SummaryPublisher } from './realtime/summaryPublisher.js';
import { voiceRouter } from './http/voice.js';
import { webhooksRouter } from './http/webhooks.js';
import { voiceLlmRouter } from './http/voiceLlm.js';
import { VoiceLlm } from './voice/customLlm.js';
import { createVoiceModule, type VoiceModule } from './voice/index.js';
import { exportsRouter } from './http/exports.js';
import { privacyRouter } from './http/privacy.js';
import { requireAdmin, requireRecruiter } from './http/recruiterAuth.js';
import { webhookEndpointsRouter } from './http/webhookEndpoints.js';
import { ExportService } from './exports/exportService.js';
import { ErasedCalls } from './privacy/erasedCalls.js';
import { defaultErasers, type EraserRegistry } from './privacy/erasers.js';
import { ErasureService } from './privacy/erasureService.js';
import { RetentionPolicy } from './privacy/retentionPolicy.js';
import { RetentionSweeper } from './privacy/retentionSweeper.js';
import { createWebhooksOutModule, webhookDeliveryEraser, type WebhooksOutModule } from './webhooksOut/index.js';

export interface RunningCandor {
  /** http://host:port the server listens on (localhost when bound to all interfaces). */
  url: string;
  port: number;
  /** The MongoDB URI in use (the embedded server's when MONGODB_URI is unset). */
  mongodbUri: string;
  connection: Connection;
  service: InterviewService;
  /** The answer -> question pipeline itself (the `cycle` bench drives it in-process, with a QuestionSink). */
  cycle: QuestionCycle;
  /** Voice: linker, reconciler (runOnce), simulator (docs/voice.md). */
  voice: VoiceModule;
  /** The express app and the socket.io server, for introspection (the API contract test walks their routes and handlers). */
  app: Express;
  io: SocketServer;
  /** Retention and erasure (docs/privacy.md): the eraser registry, the erasure service, the sweeper. */
  privacy: { retention: RetentionPolicy; erasers: EraserRegistry; erasure: ErasureService; sweeper: RetentionSweeper };
  /** Outgoing webhooks: endpoints, outbox relay, dispatcher (docs/webhooks-out.md). */
  webhooksOut: WebhooksOutModule;
  /** Stops accepting, lets in-flight requests finish, releases turn leases, then closes the store. */
  close(): Promise<void>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
/** dist/server/src -> dist/client when built; server/src -> dist/client in dev. */
export const defaultClientDir = path.resolve(here, here.includes(`${path.sep}dist${path.sep}`) ? '../../client' : '../../dist/client');


/**
 * The composition root's body: config -> store -> interviewer -> service ->
 * http + sockets. main.ts adds process concerns (signals, exit codes); tests
 * call this directly to run a real server in-process.
 */
export async function startCandor(
  config: Config,
  logger: Logger,
  opts: { clientDir?: string; webhooksOut?: Pick<Parameters<typeof createWebhooksOutModule>[0], 'resolve' | 'send' | 'random'> } = {},
): Promise<RunningCandor> {
  const embedded = config.mongodbUri
    ? null
    : await EmbeddedMongo.start({
        dir: path.join(config.dataDir, 'db'),
        port: config.embeddedDb.port,
        durability: config.embeddedDb.durability,
        logger: logger.child({ component: 'embedded-db' }),
        // ---- performance (docs/performance.md, issue 8) ------------------------
        // The embedded store runs in a worker thread: its command handling, journal
        // and GC no longer delay this event loop, which streams the interview tokens.
        thread: 'worker',
        // Candor's own connection reaches it over a Unix domain socket (no TCP stack on
        // either thread, issue 13); the TCP port stays for tools.
        socketPath: path.join(os.tmpdir(), `candor-db-${process.pid}-${randomBytes(4).toString('hex')}.sock`),
        // -------------------------------------------------------------------------
      });
  const mongodbUri = config.mongodbUri ?? embedded!.uri('candor');
  const ownUri = config.mongodbUri ?? embedded!.localUri('candor');
  if (embedded) logger.info('embedded database started', { port: embedded.port, dir: path.join(config.dataDir, 'db') });

  let connection: Connection;
  try {
    connection = await connectMongoose(ownUri);
  } catch (err) {
    await embedded?.close();
    throw err;
  }
  const repo = await createRepository(connection);
  const now = () => new Date();
  const node = nodeIdentity({ nodeName: config.nodeName, port: config.port });
  const interviewer = createInterviewer(config);
  logger.info('interviewer ready', { interviewer: interviewer.name, node: node.id });

  const metrics = createMetrics();
  const counters = createRealtimeCounters(metrics);
  // express is bound later, but its listener must exist BEFORE socket.io attaches:
  // engine.io wraps the listeners present at attach time so /socket.io/ requests
  // (long-polling) never reach express as well.
  let handleRequest: http.RequestListener = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const httpServer = http.createServer((req, res) => handleRequest(req, res));
  // Limits and origins: docs/security.md. Answers are <= 2000 chars, so a socket message
  // far larger than SOCKET_MAX_MESSAGE_BYTES is not ours (the transport is closed).
  const origins = new OriginPolicy(config.corsOrigins, config.trustProxy);
  const io = new SocketServer(httpServer, {
    maxHttpBufferSize: config.limits.socketMaxMessageBytes,
    serveClient: false,
    cors: { origin: origins.list, methods: ['GET', 'POST'] },
    allowRequest: (req, callback) => {
      const allowed = origins.permits(req.headers);
      if (!allowed) counters.socketsRefused.inc({ reason: 'origin' });
      callback(allowed ? null : 'origin not allowed (CORS_ORIGINS)', allowed);
    },
  });
  const connections = new ConnectionLimiter(config.limits.socketConnectionsPerIp, config.trustProxy, () => counters.socketsRefused.inc({ reason: 'per_ip_cap' }));

  // Multi-node: with REDIS_URL, fan-out, in-flight text and rate limits live in Redis.
  const redis = config.redisUrl ? connectRedis(config.redisUrl, logger.child({ component: 'redis' })) : null;
  if (redis) {
    io.adapter(createAdapter(failSoftPublisher(redis.pub, () => counters.redisPublishDropped.inc()), redis.sub, { key: `${config.redisPrefix}:socket.io` }));
  }
  const inflight = redis ? new RedisInflightStore(redis.pub, logger, config.redisPrefix) : new MemoryInflightStore();
  const answerLimiter = answerRateLimiter(config, redis?.pub);

  const retention = new RetentionPolicy(config.privacy.retentionDays);
  const summaries = new SummaryPublisher({ io, repo, logger, retention, crossNode: redis !== null });
  const channel = redis
    ? new SessionChannel({ io, pub: redis.pub, sub: redis.sub, prefix: config.redisPrefix, logger, onDrop: () => counters.redisPublishDropped.inc() })
    : null;
  const broadcaster = new SocketBroadcaster(io, summaries, channel);
  const leases = new TurnLeases({ renew: (req) => repo.renewLeases(req), logger, nodeId: node.id, leaseMs: config.interview.turnLeaseMs, now });
  const assessor = new AnswerAssessor({
    interviewer,
    recordScore: (csid, score) => repo.recordScore(csid, score),
    recordUsage: (csid, usage) => void repo.addUsage(csid, usage).catch(() => undefined),
    logger,
    now,
  });
  const evaluations = new EvaluationRunner({ repo, interviewer, assessor, broadcaster, logger, leaseMs: config.interview.evaluationLeaseMs });
  const cycle = new QuestionCycle({
    repo,
    interviewer,
    assessor,
    evaluate: (csid) => evaluations.kick(csid),
    broadcaster,
    watchers: broadcaster,
    inflight,
    leases,
    rateLimit: new AnswerRateLimit(config.interview.answerMinIntervalMs, answerLimiter),
    logger,
    now,
    guides: new OpeningGuides(repo),
    frameMs: config.interview.tokenFrameMs,
    onTokens: (n) => counters.tokensEmitted.inc(n),
    onFrame: () => counters.tokenFrames.inc(),
    onFrameHeld: (ms) => counters.frameHold.observe(ms / 1000),
  });

  // ---- voice (server/src/voice, docs/voice.md) -------------------------------
  // ElevenLabs or the simulator; webhook route, linker, reconciler. Voice ends go
  // through voice.service.end from every caller (interview:end, REST end, voice:ended, disconnect).
  // ---- outgoing webhooks (server/src/webhooksOut, docs/webhooks-out.md) -------
  const webhooksOut = createWebhooksOutModule({ config, repo, logger, nodeId: node.id, now, onAttempt: createWebhookMetrics(metrics), ...opts.webhooksOut });
  // ---------------------------------------------------------------------------
  const voice = createVoiceModule({
    config,
    repo,
    broadcaster,
    evaluations,
    logger,
    now,
    erased: new ErasedCalls(repo),
    // A merged orphan is deleted only once its voice.orphaned event left its outbox.
    beforeOrphanDelete: (csid) => webhooksOut.relay.flush(csid),
  });
  // The ElevenLabs agent's Custom LLM (VOICE_LLM_KEY): voice turns through the same question cycle.
  const voiceLlm = new VoiceLlm({ repo, cycle, leases, broadcaster, endVoice: (csid) => voice.service.end(csid, 'agent'), logger: logger.child({ component: 'voice-llm' }) });
  // ---------------------------------------------------------------------------
  const service = new InterviewService({
    repo,
    cycle,
    leases,
    evaluations,
    broadcaster,
    inflight,
    logger,
    now,
    voiceEnd: (csid, endedBy, conversationId) => voice.service.end(csid, endedBy, conversationId),
  });
  const focus = new FocusSignals({ repo, broadcaster, logger, now });

  // ---- retention and erasure (server/src/privacy, docs/privacy.md) ------------
  // Every place that stores a piece of an interview registers an eraser here
  // (other modules append theirs, e.g. outgoing-webhook deliveries).
  const privacyLogger = logger.child({ component: 'privacy' });
  // Outgoing-webhook deliveries carry the candidate's name and scores: erased after the interview itself.
  const erasers = defaultErasers({ repo, inflight }).register(webhookDeliveryEraser(repo));
  const erasure = new ErasureService({ repo, erasers, logger: privacyLogger, nodeId: node.id });
  const retentionSweeper = new RetentionSweeper({ repo, erasure, policy: retention, logger: privacyLogger, nodeId: node.id, now, intervalMs: config.privacy.sweepIntervalMs });
  const exportsService = new ExportService({ repo, retention, now });
  // ---- named recruiters and private notes (docs/recruiters.md) --------------
  // Every request and /monitor event looks its recruiter up (no cache); revoking one
  // closes its /monitor sockets on every node, and the sweep catches a node that missed it.
  const recruiterAuth = new RecruiterAuth({ repo, bootstrapToken: config.recruiterToken });
  const notes = new NotesService({ repo, broadcaster, logger, now });
  // Nudges and take-over: a nudge rides in the question cycle's own writes (no per-node memory).
  const steering = new SteeringService({
    repo,
    watchers: broadcaster,
    candidate: broadcaster,
    interview: service,
    limiter: steeringRateLimiter(config, redis?.pub),
    logger,
    now,
    voiceServedHere: config.voice.customLlm !== undefined,
  });
  // Admin-only routes (recruiter management, erasure, outgoing webhook endpoints).
  const adminGuard = requireAdmin(recruiterAuth);
  // ---------------------------------------------------------------------------
  const presence = new CandidatePresence(config.interview.disconnectGraceMs, (csid) => {
    service.releaseTurn(csid).catch((err: unknown) => logger.warn('releasing an abandoned turn failed', { clientSessionId: csid, err }));
    voice.service.candidateGone(csid).catch((err: unknown) => logger.warn('ending a disconnected voice interview failed', { clientSessionId: csid, err }));
  });
  connections.attach(attachInterviewNamespace(io, { service, presence, sessionSecret: config.sessionSecret, logger, voice: voice.service, focus }));
  registerRealtimeGauges(metrics, {
    socketsByNamespace: () => ({ interview: io.of('/interview').sockets.size, monitor: io.of('/monitor').sockets.size }),
    activeInterviews: () => presence.size,
    streaming: () => leases.sessions().length,
  });
  const monitor = attachMonitorNamespace(io, {
    repo,
    service,
    auth: recruiterAuth,
    notes,
    steering,
    logger,
    retention,
    onWatch: () => counters.watchJoins.inc(),
  });
  connections.attach(monitor);
  const recruiterAdmin = new RecruiterAdmin({ repo, logger, onRevoked: (id) => disconnectRecruiter(monitor, id) });
  const revokedSweep = new RevokedSocketSweep({ nsp: monitor, repo, logger, intervalMs: config.recruiterRecheckMs });
  revokedSweep.start();

  const contract = contractRouters();
  const app = createHttpApp({
    logger,
    metrics,
    trustProxy: config.trustProxy,
    jsonLimit: config.limits.jsonBodyBytes,
    origins,
    rateLimiter: httpRateLimiter({ ...config.limits.httpRateLimit, redis: redis?.pub, redisPrefix: config.redisPrefix }),
    readiness: [
      { name: 'database', check: () => pingDatabase(connection) },
      ...(redis ? [{ name: 'redis', check: () => redis.ping() }] : []),
    ],
    apiRouters: [
      rolesRouter(ROLES),
      candidateSessionsRouter({
        service,
        sessionSecret: config.sessionSecret,
        voiceResult: (s) => voice.service.resultOf(s),
        isErased: (csid) => erasure.isErased(csid),
      }),
      exportsRouter({ exports: exportsService, recruiterGuard: requireRecruiter(recruiterAuth), sessionSecret: config.sessionSecret }),
      voiceRouter({ voice: voice.service, sessionSecret: config.sessionSecret, simulator: voice.simulator }),
      privacyRouter({ erasure, adminGuard }),
      recruiterRouter({ repo, auth: recruiterAuth, mergeOrphan: (csid, cid) => voice.linker.merge(csid, cid), retention }),
      openingsRouter({ repo, auth: recruiterAuth }),
      recruitersRouter({ auth: recruiterAuth, admin: recruiterAdmin }),
      notesRouter({ auth: recruiterAuth, notes }),
      webhookEndpointsRouter({ endpoints: webhooksOut.endpoints, adminGuard }),
      contract.api,
    ],
    rootRouters: [
      webhooksRouter({
        repo,
        verifier: voice.verifier,
        linker: voice.linker,
        logger: logger.child({ component: 'voice' }),
        maxBytes: config.voice.webhookMaxBytes,
        now,
      }),
      voiceLlmRouter({
        llm: config.voice.customLlm ? { ...config.voice.customLlm, turns: voiceLlm } : undefined,
        logger: logger.child({ component: 'voice-llm' }),
        // The platform sends the whole conversation every turn.
        jsonLimit: Math.max(config.limits.jsonBodyBytes, 1_048_576),
      }),
      contract.page,
    ],
    clientRouter: staticClientRouter(opts.clientDir ?? defaultClientDir),
  });
  handleRequest = app;

  // Recovery before accepting: turns this server held before a crash are released at once,
  // evaluations left pending or running are resumed.
  if (node.stable) {
    const released = await repo.releaseLeasesOfPreviousBoot(node.name, node.id);
    if (released > 0) logger.info('released turn leases of a previous run', { count: released });
  }
  const resumed = await evaluations.resumeAll();
  if (resumed > 0) logger.info('resumed evaluations', { count: resumed });
  await voice.recover();
  await webhooksOut.recover(node);
  // Erasures a crash interrupted are finished before anything is served.
  if (node.stable) await repo.releaseErasureLeasesOfPreviousBoot(node.name, node.id);
  await erasure.resumePending();

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const { port } = httpServer.address() as AddressInfo;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const url = `http://${shownHost}:${port}`;
  voice.started(url);
  webhooksOut.started(url.replace('://localhost:', '://127.0.0.1:'));
  // A merge that recovery could not finish because its orphan's webhook event was not relayed yet
  // (payload links need the URL we now listen on): relay, then finish it.
  await webhooksOut.relay.runOnce();
  await voice.linker.finishMerges();
  retentionSweeper.start();

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      presence.stop();
      revokedSweep.stop();
      await retentionSweeper.stop();
      await voice.stop();
      await webhooksOut.stop();
      evaluations.stop();
      summaries.stop();
      leases.stop();
      channel?.close();
      // Stop accepting and close every socket.io client in every namespace (they
      // reconnect elsewhere, or to our successor, and resume from the snapshot);
      // io.close also closes the HTTP server, which waits for in-flight requests.
      const drained = new Promise<void>((resolve) => void io.close(() => resolve()));
      // A keep-alive connection becomes idle when its last response is written;
      // close those promptly instead of waiting for the keep-alive timeout.
      const sweeper = setInterval(() => httpServer.closeIdleConnections(), 50);
      httpServer.closeIdleConnections();
      await drained.finally(() => clearInterval(sweeper));
      await service.releaseAllTurns();
      await closeMongoose(connection);
      await redis?.close();
      await embedded?.close();
    })());

  return { url, port, mongodbUri, connection, service, cycle, voice, privacy: { retention, erasers, erasure, sweeper: retentionSweeper }, webhooksOut, app, io, close };
}

/** One accepted answer per session per interval; in Redis so the limit holds across replicas, in memory while Redis is down. */
function answerRateLimiter(config: Config, redis: Redis | undefined) {
  const seconds = config.interview.answerMinIntervalMs / 1000;
  if (!redis || seconds <= 0) return undefined;
  return new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${config.redisPrefix}:answer`,
    points: 1,
    duration: seconds,
    insuranceLimiter: new RateLimiterMemory({ keyPrefix: 'answer-local', points: 1, duration: seconds }),
  });
}

/** Nudges and typed questions per recruiter per minute: in Redis (every node), in memory without it. */
function steeringRateLimiter(config: Config, redis: Redis | undefined) {
  const local = new RateLimiterMemory({ keyPrefix: 'steer-local', points: STEERING_RATE.points, duration: STEERING_RATE.durationSecs });
  if (!redis) return local;
  return new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${config.redisPrefix}:steer`,
    points: STEERING_RATE.points,
    duration: STEERING_RATE.durationSecs,
    insuranceLimiter: local,
  });
}

function createInterviewer(config: Config): Interviewer {
  if (config.openai) return createOpenAiInterviewer({ apiKey: config.openai.apiKey, baseURL: config.openai.baseURL, model: config.openai.model });
  return new ScriptedInterviewer({ tokenDelayMs: config.scripted.tokenDelayMs });
}
