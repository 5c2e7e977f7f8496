import type { Inflight } from '../../../shared/protocol.js';
import type { InflightStore } from './ports.js';

/** Single-process in-flight store: one entry per session, text kept as chunks joined on read. */
export class MemoryInflightStore implements InflightStore {
  private readonly entries = new Map<string, { meta: Omit<Inflight, 'text' | 'lastIndex'>; chunks: string[] }>();

  begin(clientSessionId: string, question: Omit<Inflight, 'text' | 'lastIndex'>): void {
    this.entries.set(clientSessionId, { meta: question, chunks: [] });
  }

  append(clientSessionId: string, questionId: string, index: number, text: string): void {
    const entry = this.entries.get(clientSessionId);
    // Tokens of a question this node no longer streams are ignored, and indexes must be contiguous.
    if (!entry || entry.meta.questionId !== questionId || index !== entry.chunks.length) return;
    entry.chunks.push(text);
  }

  end(clientSessionId: string, questionId: string): void {
    if (this.entries.get(clientSessionId)?.meta.questionId === questionId) this.entries.delete(clientSessionId);
  }

  async get(clientSessionId: string): Promise<Inflight | null> {
    return this.read(clientSessionId);
  }

  /** Synchronous read, for callers on this node that must not yield between read and emit. */
  read(clientSessionId: string): Inflight | null {
    const entry = this.entries.get(clientSessionId);
    if (!entry) return null;
    return { ...entry.meta, text: entry.chunks.join(''), lastIndex: entry.chunks.length - 1 };
  }
}
