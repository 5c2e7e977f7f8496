import type { IncomingMessage, ServerResponse } from 'node:http';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { webhookPayloadSchema, type WebhookPayload } from '../../../shared/webhooksOut.js';
import { listen } from './listen.js';

/** One request the receiver got. */
export interface Received {
  webhookId: string;
  timestamp: string;
  /** Each `v1,<sig>` of the webhook-signature header. */
  signatures: string[];
  /** Indexes (into `secrets`) of every secret whose verification with standardwebhooks passed. */
  verifiedWith: number[];
  payload: WebhookPayload | null;
  /** The status it answered (null: it never answered, e.g. the sender died). */
  status: number | null;
  at: number;
  host: string | undefined;
}

export type Answer = { status: number; delayMs?: number; headers?: Record<string, string> } | 'hang';

/**
 * A webhook receiver as an ATS would run it, on 127.0.0.1: every request is
 * verified with the `standardwebhooks` package against each known secret, its
 * body parsed with the published payload schema, and what it answers is up to
 * the test. It also counts overlapping requests of one webhook-id.
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  secrets: string[] = [];
  /** Decides the answer to each request (default 200). */
  answer: (r: Received, nth: number) => Answer = () => ({ status: 200 });
  /** Most requests of one webhook-id in flight at the same time, seen so far. */
  maxOverlap = 0;
  private readonly open = new Map<string, number>();
  private readonly hanging = new Set<ServerResponse>();
  private waiters = new Set<() => void>();
  private server!: { url: string; close: () => Promise<void> };

  static async start(): Promise<WebhookReceiver> {
    const r = new WebhookReceiver();
    r.server = await listen((req, res) => void r.handle(req, res));
    return r;
  }

  get url(): string {
    return this.server.url;
  }

  /** Requests whose signature verified with at least one secret. */
  get verified(): Received[] {
    return this.received.filter((r) => r.verifiedWith.length > 0);
  }

  async until(pred: (r: WebhookReceiver) => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred(this)) {
      if (Date.now() > deadline) throw new Error(`webhook receiver: timed out waiting for ${what}; got ${this.received.length} requests`);
      await new Promise<void>((resolve) => {
        const done = () => {
          this.waiters.delete(done);
          resolve();
        };
        this.waiters.add(done);
        setTimeout(done, 50);
      });
    }
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    await this.server.close();
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const headers = {
      'webhook-id': String(req.headers['webhook-id'] ?? ''),
      'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
      'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
    };
    const verifiedWith = this.secrets.flatMap((secret, i) => {
      try {
        new Webhook(secret).verify(body, headers);
        return [i];
      } catch (err) {
        if (err instanceof WebhookVerificationError) return [];
        throw err;
      }
    });
    const parsed = webhookPayloadSchema.safeParse(JSON.parse(body || 'null'));
    const rec: Received = {
      webhookId: headers['webhook-id'],
      timestamp: headers['webhook-timestamp'],
      signatures: headers['webhook-signature'].split(' ').filter(Boolean),
      verifiedWith,
      payload: parsed.success ? parsed.data : null,
      status: null,
      at: Date.now(),
      host: req.headers.host,
    };
    const nth = this.received.length;
    this.received.push(rec);
    const overlap = (this.open.get(rec.webhookId) ?? 0) + 1;
    this.open.set(rec.webhookId, overlap);
    this.maxOverlap = Math.max(this.maxOverlap, overlap);
    const release = () => this.open.set(rec.webhookId, (this.open.get(rec.webhookId) ?? 1) - 1);
    this.notify();
    const answer = this.answer(rec, nth);
    if (answer === 'hang') {
      this.hanging.add(res);
      res.on('close', release);
      return;
    }
    if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
    rec.status = answer.status;
    res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
    res.end('ok');
    release();
    this.notify();
  }
}
