import { BSON, type Document } from 'bson';

/** Wire protocol opcodes this server understands. */
export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_MSG = 2013;

/** MongoDB's advertised maxMessageSizeBytes; larger frames close the connection. */
export const MAX_MESSAGE_BYTES = 48_000_000;
const HEADER_BYTES = 16;

const FLAG_CHECKSUM_PRESENT = 1 << 0;
const FLAG_MORE_TO_COME = 1 << 1;

export interface MessageHeader {
  messageLength: number;
  requestID: number;
  responseTo: number;
  opCode: number;
}

/** A decoded request: the command document plus what is needed to reply to it. */
export interface Request {
  header: MessageHeader;
  kind: 'msg' | 'query';
  /** Command body; for OP_MSG document sequences are merged in under their identifier. */
  command: Document;
  /** Database the command targets ($db for OP_MSG, the namespace prefix for OP_QUERY). */
  db: string;
  /** OP_MSG moreToCome: the client expects no reply. */
  moreToCome: boolean;
  /**
   * Set when a section holds a document over MongoDB's internal BSON limit (16 MiB + 16 KiB):
   * MongoDB refuses the whole command with 10334 BSONObjectTooLarge, and so does the server.
   */
  oversize?: { size: number; firstElement: string };
}

/** BSONObjMaxInternalSize: the largest document MongoDB parses off the wire (user limit + 16 KiB). */
export const MAX_INTERNAL_BSON_BYTES = 16 * 1024 * 1024 + 16 * 1024;

export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

/**
 * Reassembles complete messages from a TCP byte stream that may split or coalesce them.
 * Keeps a list of chunks and only concatenates once a whole message is available.
 */
export class MessageFramer {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly maxMessageBytes = MAX_MESSAGE_BYTES) {}

  /** Adds bytes; returns every complete message now available. Throws ProtocolError on a bad length. */
  push(data: Buffer): Buffer[] {
    this.chunks.push(data);
    this.buffered += data.length;
    const out: Buffer[] = [];
    for (;;) {
      if (this.buffered < 4) break;
      const head = this.peek(4);
      const len = head.readInt32LE(0);
      if (len < HEADER_BYTES || len > this.maxMessageBytes) {
        throw new ProtocolError(`invalid message length ${len}`);
      }
      if (this.buffered < len) break;
      out.push(this.take(len));
    }
    return out;
  }

  private peek(n: number): Buffer {
    const first = this.chunks[0];
    if (first && first.length >= n) return first.subarray(0, n);
    const all = Buffer.concat(this.chunks);
    this.chunks = [all];
    return all.subarray(0, n);
  }

  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
    const msg = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return msg;
  }
}

function readHeader(buf: Buffer): MessageHeader {
  return {
    messageLength: buf.readInt32LE(0),
    requestID: buf.readInt32LE(4),
    responseTo: buf.readInt32LE(8),
    opCode: buf.readInt32LE(12),
  };
}

function readCString(buf: Buffer, offset: number): { value: string; next: number } {
  const end = buf.indexOf(0, offset);
  if (end < 0) throw new ProtocolError('unterminated cstring');
  return { value: buf.toString('utf8', offset, end), next: end + 1 };
}

/** Reads one BSON document at offset, validating its declared size against the buffer. */
function readDocument(buf: Buffer, offset: number, end: number): { doc: Document; next: number } {
  if (offset + 5 > end) throw new ProtocolError('truncated BSON document');
  const size = buf.readInt32LE(offset);
  if (size < 5 || offset + size > end) throw new ProtocolError('invalid BSON document size');
  const doc = BSON.deserialize(buf.subarray(offset, offset + size));
  return { doc, next: offset + size };
}

/** Decodes a complete message. Throws ProtocolError for malformed input or unsupported opcodes. */
export function decodeMessage(buf: Buffer): Request {
  const header = readHeader(buf);
  if (header.opCode === OP_MSG) return decodeOpMsg(buf, header);
  if (header.opCode === OP_QUERY) return decodeOpQuery(buf, header);
  throw new ProtocolError(`unsupported opCode ${header.opCode}`);
}

function decodeOpMsg(buf: Buffer, header: MessageHeader): Request {
  const flags = buf.readUInt32LE(HEADER_BYTES);
  // The optional trailing CRC-32C is not verified: TCP already checksums and the driver never sends it.
  const end = flags & FLAG_CHECKSUM_PRESENT ? buf.length - 4 : buf.length;
  let offset = HEADER_BYTES + 4;
  let body: Document | undefined;
  let oversize: Request['oversize'];
  const noteSize = (doc: Document, size: number): void => {
    if (size <= MAX_INTERNAL_BSON_BYTES || oversize) return;
    const first = Object.keys(doc)[0] ?? '';
    oversize = { size, firstElement: `${first}: ${JSON.stringify(doc[first]) ?? 'undefined'}`.slice(0, 120) };
  };
  const sequences: Array<[string, Document[]]> = [];
  while (offset < end) {
    const kind = buf.readUInt8(offset);
    offset += 1;
    if (kind === 0) {
      const { doc, next } = readDocument(buf, offset, end);
      if (body) throw new ProtocolError('multiple body sections');
      body = doc;
      noteSize(doc, next - offset);
      offset = next;
    } else if (kind === 1) {
      if (offset + 4 > end) throw new ProtocolError('truncated document sequence');
      const size = buf.readInt32LE(offset);
      const seqEnd = offset + size;
      if (size < 5 || seqEnd > end) throw new ProtocolError('invalid document sequence size');
      const id = readCString(buf, offset + 4);
      const docs: Document[] = [];
      let p = id.next;
      while (p < seqEnd) {
        const { doc, next } = readDocument(buf, p, seqEnd);
        docs.push(doc);
        noteSize(doc, next - p);
        p = next;
      }
      sequences.push([id.value, docs]);
      offset = seqEnd;
    } else {
      throw new ProtocolError(`unknown OP_MSG section kind ${kind}`);
    }
  }
  if (!body) throw new ProtocolError('OP_MSG without body section');
  for (const [id, docs] of sequences) body[id] = docs;
  const db = typeof body.$db === 'string' ? body.$db : 'admin';
  const req: Request = { header, kind: 'msg', command: body, db, moreToCome: (flags & FLAG_MORE_TO_COME) !== 0 };
  if (oversize) req.oversize = oversize;
  return req;
}

function decodeOpQuery(buf: Buffer, header: MessageHeader): Request {
  let offset = HEADER_BYTES + 4; // skip flags
  const ns = readCString(buf, offset);
  offset = ns.next + 8; // numberToSkip + numberToReturn: irrelevant for commands
  const { doc } = readDocument(buf, offset, buf.length);
  // Legacy commands may be wrapped as { $query: {...}, $readPreference: ... }.
  const inner: unknown = doc.$query;
  const command = inner !== null && typeof inner === 'object' && !Array.isArray(inner) ? (inner as Document) : doc;
  const dot = ns.value.indexOf('.');
  const db = dot >= 0 ? ns.value.slice(0, dot) : ns.value;
  const coll = dot >= 0 ? ns.value.slice(dot + 1) : '';
  if (coll !== '$cmd') throw new ProtocolError(`OP_QUERY on ${ns.value} is not supported (only commands)`);
  return { header, kind: 'query', command, db, moreToCome: false };
}

let nextRequestId = 1;

function header(len: number, responseTo: number, opCode: number): Buffer {
  const h = Buffer.allocUnsafe(HEADER_BYTES);
  h.writeInt32LE(len, 0);
  h.writeInt32LE(nextRequestId++ & 0x7fffffff, 4);
  h.writeInt32LE(responseTo, 8);
  h.writeInt32LE(opCode, 12);
  return h;
}

/** OP_MSG reply with a single kind-0 body section. */
export function encodeOpMsgReply(responseTo: number, doc: Document): Buffer {
  const body = BSON.serialize(doc);
  const len = HEADER_BYTES + 4 + 1 + body.length;
  const prefix = Buffer.alloc(5); // flagBits 0, section kind 0
  return Buffer.concat([header(len, responseTo, OP_MSG), prefix, body]);
}

/** Legacy OP_REPLY carrying one document (answer to an OP_QUERY command). */
export function encodeOpReply(responseTo: number, doc: Document): Buffer {
  const body = BSON.serialize(doc);
  const fixed = Buffer.alloc(20); // responseFlags, cursorID (int64), startingFrom
  fixed.writeInt32LE(1, 16); // numberReturned
  const len = HEADER_BYTES + fixed.length + body.length;
  return Buffer.concat([header(len, responseTo, OP_REPLY), fixed, body]);
}

export function encodeReply(req: Request, doc: Document): Buffer {
  return req.kind === 'msg' ? encodeOpMsgReply(req.header.requestID, doc) : encodeOpReply(req.header.requestID, doc);
}
