import type { WebhookEvent } from '../../../shared/webhook.js';
import type { Repository } from '../db/repository/index.js';
import type { CallRecord } from '../voice/call.js';
import { ERASED_CALL } from '../voice/linker.js';
import { LINK_WINDOW_MS } from '../voice/linking.js';
import { hashUserId } from './erasureService.js';

/**
 * What the webhook linker asks before linking a finished call (docs/privacy.md):
 * does it belong to an erased interview? Then the call is kept only as a
 * content-free orphan and its raw payload is reduced to ids, so the erased
 * person's words are stored nowhere again and the interview never comes back.
 */
export class ErasedCalls {
  constructor(private readonly repo: Repository) {}

  async isErased(call: CallRecord): Promise<boolean> {
    const { repo } = this;
    const byId = await repo.findErasureMatching({
      conversationId: call.conversationId,
      ...(call.clientSessionId ? { clientSessionId: call.clientSessionId } : {}),
    });
    if (byId) return true;
    if (!call.userId || !call.startedAt) return false;
    const byWindow = await repo.findErasureMatching({
      voice: { userIdSha256: hashUserId(call.userId), startedAt: call.startedAt, windowMs: LINK_WINDOW_MS, ...(call.agentId ? { agentId: call.agentId } : {}) },
    });
    if (!byWindow) return false;
    // The same person's other, live interview claims it by id: that one is not erased.
    if (await repo.findByConversationId(call.conversationId)) return false;
    if (call.clientSessionId && (await repo.findByClientSessionId(call.clientSessionId))) return false;
    return true;
  }

  /** Keeps of a stored payload only what cannot be attributed to anyone: type, conversation and agent ids. */
  async redact(event: WebhookEvent): Promise<void> {
    const data = event.payload['data'];
    const agentId = typeof data === 'object' && data !== null ? (data as { agent_id?: unknown }).agent_id : undefined;
    await this.repo.redactWebhookEvent(event.id, {
      type: event.type,
      redacted: ERASED_CALL,
      data: {
        ...(event.conversationId ? { conversation_id: event.conversationId } : {}),
        ...(typeof agentId === 'string' ? { agent_id: agentId.slice(0, 128) } : {}),
      },
    });
  }
}
