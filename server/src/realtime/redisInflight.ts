import type { Redis } from 'ioredis';
import type { Inflight } from '../../../shared/protocol.js';
import { MemoryInflightStore } from '../interview/memoryInflight.js';
import type { InflightStore } from '../interview/ports.js';
import type { Logger } from '../observability/logger.js';

const TTL_SECONDS = 15 * 60;

/**
 * In-flight question text shared by every node. Local reads come from memory
 * (same tick as the emits). Each write goes to Redis on the SAME connection
 * the socket.io adapter publishes on, issued before the token's publish and
 * auto-pipelined with it: Redis applies the RPUSH of token k before the
 * PUBLISH of token k, so a watcher on another node that missed token k's
 * publish finds it in the list — the cross-node snapshot is never behind the
 * tokens that node did not receive. Keys expire, so a dead node leaves no debris.
 */
export class RedisInflightStore implements InflightStore {
  private readonly local = new MemoryInflightStore();
  private readonly metaKey: (csid: string) => string;
  private readonly tokensKey: (csid: string) => string;

  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
    prefix: string,
  ) {
    this.metaKey = (csid) => `${prefix}:inflight:${csid}:meta`;
    this.tokensKey = (csid) => `${prefix}:inflight:${csid}:tokens`;
  }

  begin(csid: string, question: Omit<Inflight, 'text' | 'lastIndex'>): void {
    this.local.begin(csid, question);
    this.run(
      this.redis
        .multi()
        .del(this.tokensKey(csid))
        .hset(this.metaKey(csid), { questionId: question.questionId, phase: question.phase, number: String(question.number) })
        .expire(this.metaKey(csid), TTL_SECONDS)
        .exec(),
    );
  }

  append(csid: string, questionId: string, index: number, text: string): void {
    this.local.append(csid, questionId, index, text);
    // Only index 0 refreshes the TTL: a question streams for seconds, the TTL is minutes.
    this.run(this.redis.rpush(this.tokensKey(csid), text));
    if (index === 0) this.run(this.redis.expire(this.tokensKey(csid), TTL_SECONDS));
  }

  end(csid: string, questionId: string): void {
    this.local.end(csid, questionId);
    // Delete only if the entry is still this question's (another node may have taken over).
    this.run(
      this.redis.eval(
        "if redis.call('HGET', KEYS[1], 'questionId') == ARGV[1] then redis.call('DEL', KEYS[1], KEYS[2]) end return 1",
        2,
        this.metaKey(csid),
        this.tokensKey(csid),
        questionId,
      ),
    );
  }

  async get(csid: string): Promise<Inflight | null> {
    const local = this.local.read(csid);
    if (local) return local;
    try {
      const result = await this.redis.multi().hgetall(this.metaKey(csid)).lrange(this.tokensKey(csid), 0, -1).exec();
      const meta = result?.[0]?.[1] as Record<string, string> | undefined;
      const tokens = (result?.[1]?.[1] as string[] | undefined) ?? [];
      if (!meta?.questionId || (meta.phase !== 'warmup' && meta.phase !== 'standard' && meta.phase !== 'advanced')) return null;
      return { questionId: meta.questionId, phase: meta.phase, number: Number(meta.number), text: tokens.join(''), lastIndex: tokens.length - 1 };
    } catch (err) {
      // Degraded: the snapshot has no partial text; question:end still delivers the whole question.
      this.logger.warn('in-flight text unavailable from redis', { clientSessionId: csid, err });
      return null;
    }
  }

  private run(command: Promise<unknown>): void {
    command.catch(() => undefined);
  }
}
