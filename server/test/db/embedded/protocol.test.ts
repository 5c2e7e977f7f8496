import net from 'node:net';
import { BSON, type Document } from 'bson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OP_MSG, OP_QUERY, OP_REPLY } from '../../../src/db/embedded/wire.js';
import { startHarness, type Harness } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.stop();
});

function opMsg(requestId: number, body: Document, sequences: Array<[string, Document[]]> = []): Buffer {
  const parts: Buffer[] = [Buffer.from([0, 0, 0, 0]), Buffer.from([0]), Buffer.from(BSON.serialize(body))];
  for (const [id, docs] of sequences) {
    const payload = Buffer.concat([Buffer.from(`${id}\0`), ...docs.map((d) => Buffer.from(BSON.serialize(d)))]);
    const size = Buffer.alloc(4);
    size.writeInt32LE(payload.length + 4);
    parts.push(Buffer.from([1]), size, payload);
  }
  const rest = Buffer.concat(parts);
  const header = Buffer.alloc(16);
  header.writeInt32LE(16 + rest.length, 0);
  header.writeInt32LE(requestId, 4);
  header.writeInt32LE(0, 8);
  header.writeInt32LE(OP_MSG, 12);
  return Buffer.concat([header, rest]);
}

function opQuery(requestId: number, ns: string, query: Document): Buffer {
  const rest = Buffer.concat([Buffer.alloc(4), Buffer.from(`${ns}\0`), Buffer.from([0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]), Buffer.from(BSON.serialize(query))]);
  const header = Buffer.alloc(16);
  header.writeInt32LE(16 + rest.length, 0);
  header.writeInt32LE(requestId, 4);
  header.writeInt32LE(OP_QUERY, 12);
  return Buffer.concat([header, rest]);
}

/** A raw socket that collects whole reply messages. */
async function rawClient(): Promise<{ socket: net.Socket; next(): Promise<{ opCode: number; responseTo: number; doc: Document }>; closed: Promise<void> }> {
  const socket = net.connect(h.mongo.port, h.mongo.host);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  let buf = Buffer.alloc(0);
  const waiting: Array<(m: { opCode: number; responseTo: number; doc: Document }) => void> = [];
  const ready: Array<{ opCode: number; responseTo: number; doc: Document }> = [];
  socket.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 4 && buf.length >= buf.readInt32LE(0)) {
      const len = buf.readInt32LE(0);
      const msg = buf.subarray(0, len);
      buf = buf.subarray(len);
      const opCode = msg.readInt32LE(12);
      const docStart = opCode === OP_REPLY ? 36 : 21;
      const m = { opCode, responseTo: msg.readInt32LE(8), doc: BSON.deserialize(msg.subarray(docStart)) };
      const w = waiting.shift();
      if (w) w(m);
      else ready.push(m);
    }
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return {
    socket,
    closed,
    next: () => {
      const m = ready.shift();
      return m ? Promise.resolve(m) : new Promise((resolve) => waiting.push(resolve));
    },
  };
}

describe('wire protocol', () => {
  it('answers a legacy OP_QUERY isMaster on admin.$cmd with an OP_REPLY handshake', async () => {
    const c = await rawClient();
    c.socket.write(opQuery(7, 'admin.$cmd', { isMaster: 1, helloOk: true }));
    const reply = await c.next();
    expect(reply.opCode).toBe(OP_REPLY);
    expect(reply.responseTo).toBe(7);
    expect(reply.doc).toMatchObject({ ok: 1, ismaster: true, isWritablePrimary: true, helloOk: true, maxWireVersion: 21, maxBsonObjectSize: 16777216 });
    expect(reply.doc.topologyVersion).toBeUndefined();
    expect(reply.doc.compression).toBeUndefined();
    c.socket.destroy();
  });

  it('reassembles messages split byte by byte and messages coalesced into one chunk', async () => {
    const c = await rawClient();
    const one = opMsg(1, { ping: 1, $db: 'admin' });
    for (const byte of one) c.socket.write(Buffer.from([byte]));
    expect((await c.next()).doc).toMatchObject({ ok: 1 });
    c.socket.write(Buffer.concat([opMsg(2, { ping: 1, $db: 'admin' }), opMsg(3, { hello: 1, $db: 'admin' })]));
    const [a, b] = [await c.next(), await c.next()];
    expect([a.responseTo, b.responseTo]).toEqual([2, 3]);
    expect(b.doc.isWritablePrimary).toBe(true);
    c.socket.destroy();
  });

  it('merges OP_MSG document sequences into the command body', async () => {
    const c = await rawClient();
    c.socket.write(opMsg(9, { insert: 'seq', $db: 'proto', ordered: true }, [['documents', [{ _id: 1 }, { _id: 2 }]]]));
    expect((await c.next()).doc).toMatchObject({ ok: 1, n: 2 });
    c.socket.destroy();
  });

  it('answers an unknown command with CommandNotFound (59)', async () => {
    const c = await rawClient();
    c.socket.write(opMsg(4, { frobnicate: 1, $db: 'admin' }));
    expect((await c.next()).doc).toEqual({ ok: 0, errmsg: "no such command: 'frobnicate'", code: 59, codeName: 'CommandNotFound' });
    c.socket.destroy();
    // And through the driver.
    await expect(h.client.db('admin').command({ frobnicate: 1 })).rejects.toMatchObject({ code: 59, codeName: 'CommandNotFound' });
  });

  it('closes only the offending connection on malformed BSON or an oversized frame, and keeps serving', async () => {
    const bad = await rawClient();
    const msg = opMsg(5, { ping: 1, $db: 'admin' });
    msg.writeInt32LE(9999, 21); // body claims a size larger than the message
    bad.socket.write(msg);
    await bad.closed;

    const huge = await rawClient();
    const header = Buffer.alloc(16);
    header.writeInt32LE(60_000_000, 0);
    header.writeInt32LE(OP_MSG, 12);
    huge.socket.write(header);
    await huge.closed;

    await expect(h.client.db('admin').command({ ping: 1 })).resolves.toMatchObject({ ok: 1 });
  });

  it('rejects authentication and transactions with MongoDB errors', async () => {
    await expect(h.client.db('admin').command({ saslStart: 1, mechanism: 'SCRAM-SHA-256', payload: Buffer.alloc(0) })).rejects.toMatchObject({ code: 18 });
    const session = h.client.startSession();
    session.startTransaction();
    // Same as a real standalone mongod: the server answers 20 and the driver wraps it.
    await expect(h.client.db('candor').collection('tx').insertOne({ a: 1 }, { session })).rejects.toMatchObject({ originalError: { code: 20, codeName: 'IllegalOperation' } });
    await session.abortTransaction().catch(() => undefined);
    await session.endSession();
  });

  it('answers the admin commands tools send (buildInfo, serverStatus, listDatabases, getParameter)', async () => {
    const admin = h.client.db('admin').admin();
    expect(await admin.buildInfo()).toMatchObject({ version: '7.0.0', versionArray: [7, 0, 0, 0] });
    expect(await admin.serverStatus()).toMatchObject({ ok: 1, process: 'mongod' });
    await h.client.db('listme').collection('x').insertOne({ a: 1 });
    const dbs = await admin.listDatabases();
    expect(dbs.databases.map((d) => d.name)).toContain('listme');
    expect(await admin.command({ getParameter: 1, featureCompatibilityVersion: 1 })).toMatchObject({ featureCompatibilityVersion: { version: '7.0' } });
  });
});
