import type { Config } from '../config.js';
import type { Repository } from '../db/repository/index.js';
import type { SessionBroadcaster } from '../interview/ports.js';
import type { Logger } from '../observability/logger.js';
import { SdkElevenLabsGateway, SimulatedGateway, type ElevenLabsGateway } from './elevenLabsGateway.js';
import { VoiceLinker, type LinkerDeps } from './linker.js';
import { VoiceReconciler } from './reconciler.js';
import { VoiceSimulator } from './simulator.js';
import { VoiceService } from './voiceService.js';
import { WebhookVerifier } from './webhookVerifier.js';

export interface VoiceModule {
  service: VoiceService;
  linker: VoiceLinker;
  reconciler: VoiceReconciler;
  simulator: VoiceSimulator | null;
  gateway: ElevenLabsGateway;
  /** Checks `ElevenLabs-Signature` of the post-call webhook (http/webhooks.ts). */
  verifier: WebhookVerifier;
  /** Start-up: webhook events a crash left unprocessed, merges it interrupted. */
  recover(): Promise<void>;
  /** After listen: the simulator learns where to post, the reconciler starts. */
  started(url: string): void;
  stop(): Promise<void>;
}

export interface VoiceModuleDeps {
  config: Config;
  repo: Repository;
  broadcaster: SessionBroadcaster;
  evaluations: { kick(clientSessionId: string): void };
  logger: Logger;
  now: () => Date;
  /** Tests: a gateway instead of the SDK adapter / the simulator's. */
  gateway?: ElevenLabsGateway;
  /** Runs before a merged orphan is deleted (relays its outbox: the delete requires it empty). */
  beforeOrphanDelete?: (clientSessionId: string) => Promise<unknown>;
  /** Tombstones of erased interviews, checked by the linker (docs/privacy.md). */
  erased?: LinkerDeps['erased'];
}

/** Everything voice, composed once; candor.ts builds the http routes on its pieces. docs/voice.md. */
export function createVoiceModule(deps: VoiceModuleDeps): VoiceModule {
  const { config, repo, broadcaster, evaluations, now } = deps;
  const logger = deps.logger.child({ component: 'voice' });
  const el = config.voice.elevenLabs;
  const gateway: ElevenLabsGateway =
    deps.gateway ?? (el ? new SdkElevenLabsGateway({ apiKey: el.apiKey, ...(el.baseUrl ? { baseUrl: el.baseUrl } : {}) }) : new SimulatedGateway());
  let selfUrl = '';
  const simulator = el
    ? null
    : new VoiceSimulator({
        repo,
        broadcaster,
        logger,
        now,
        webhookSecret: config.voice.webhookSecret,
        defaultDelayMs: config.voice.simulatedWebhookDelayMs,
        defaultWebhook: config.voice.simulatedWebhook,
        selfUrl: () => selfUrl,
        ...(config.voice.customLlm ? { customLlm: config.voice.customLlm } : {}),
      });
  const linker = new VoiceLinker({
    repo,
    broadcaster,
    evaluations,
    logger,
    now,
    ...(deps.erased ? { erased: deps.erased } : {}),
    ...(deps.beforeOrphanDelete ? { beforeOrphanDelete: deps.beforeOrphanDelete } : {}),
  });
  const service = new VoiceService({
    repo,
    broadcaster,
    linker,
    gateway,
    simulator,
    agentId: el?.agentId,
    reconcileAfterMs: config.voice.reconcileAfterMs,
    customLlm: config.voice.customLlm !== undefined,
    logger,
    now,
  });
  const reconciler = new VoiceReconciler({ repo, gateway, linker, broadcaster, logger, reconcileAfterMs: config.voice.reconcileAfterMs });
  const verifier = new WebhookVerifier(config.voice.webhookSecret);
  return {
    service,
    linker,
    reconciler,
    simulator,
    gateway,
    verifier,
    async recover() {
      const processed = await linker.processUnprocessed();
      if (processed > 0) logger.info('processed webhook events left by a previous run', { count: processed });
      await linker.finishMerges();
    },
    started(url: string) {
      const u = new URL(url);
      if (u.hostname === 'localhost' || u.hostname === '0.0.0.0' || u.hostname === '::') u.hostname = '127.0.0.1';
      selfUrl = u.origin;
      reconciler.start();
      logger.info('voice ready', { simulated: simulator !== null, reconcileAfterMs: config.voice.reconcileAfterMs });
    },
    async stop() {
      simulator?.stop();
      await reconciler.stop();
    },
  };
}
