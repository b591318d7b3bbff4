// What the web page's host asks of its cards over a SCIF connection, and how a card answers.
// A connection carries requests one after another until the host closes it: a 1-byte op, then
// the op's arguments.
//   OP_HELLO  a text message (demo/_messages.ts framing)  -> a text reply
//   OP_PING   u32 count, then count 8-byte pings           -> each echoed
//   OP_RMA    f64 offset, u32 length of a host window      -> the card reads it with readFrom,
//             adds 1 to every byte and writes it back with writeTo, then answers 1 byte: the
//             number of bytes that differed from the pattern the host wrote (0 or 1: saturated).
import { type Endpoint, SCIF_RMA_SYNC, type ScifNode } from "../mod.ts";
import { recvMessage, sendMessage } from "../demo/_messages.ts";

export const OP_HELLO = 1;
export const OP_PING = 2;
export const OP_RMA = 3;

/** The byte the host writes at `i` of its window before the RMA request. */
export function pattern(i: number): number {
  return (i * 7 + 3) & 0xff;
}

/** A card's side of one connection: serves requests until the host closes it (the recv of the
 * next op then fails with ECONNRESET, which ends this). */
export async function serveConnection(node: ScifNode, ep: Endpoint): Promise<void> {
  for (;;) await serveRequest(node, ep);
}

async function serveRequest(node: ScifNode, ep: Endpoint): Promise<void> {
  const op = new Uint8Array(1);
  await ep.recv(op);
  if (op[0] === OP_HELLO) {
    const text = await recvMessage(ep);
    await sendMessage(ep, `card ${node.nodeId} got "${text}" from node ${ep.peerId!.node}`);
  } else if (op[0] === OP_PING) {
    const head = new Uint8Array(4);
    await ep.recv(head);
    const count = new DataView(head.buffer).getUint32(0, true);
    const buf = new Uint8Array(8);
    for (let i = 0; i < count; i++) {
      await ep.recv(buf);
      await ep.send(buf);
    }
  } else if (op[0] === OP_RMA) {
    const args = new Uint8Array(12);
    await ep.recv(args);
    const view = new DataView(args.buffer);
    const remote = view.getFloat64(0, true);
    const length = view.getUint32(8, true);
    const mem = node.allocate(length);
    try {
      await ep.vreadFrom(mem, remote, SCIF_RMA_SYNC);
      let wrong = 0;
      for (let i = 0; i < length; i++) {
        if (mem[i] !== pattern(i)) wrong = 1;
        mem[i] = mem[i] + 1;
      }
      await ep.vwriteTo(mem, remote, SCIF_RMA_SYNC);
      await ep.send(new Uint8Array([wrong]));
    } finally {
      node.free(mem);
    }
  }
}

/** The host's side of OP_HELLO. */
export async function hello(ep: Endpoint, text: string): Promise<string> {
  await ep.send(new Uint8Array([OP_HELLO]));
  await sendMessage(ep, text);
  return await recvMessage(ep);
}

/** The host's side of OP_PING: µs per 8-byte round trip over `count` pings. */
export async function ping(ep: Endpoint, count: number): Promise<number> {
  const head = new Uint8Array(5);
  head[0] = OP_PING;
  new DataView(head.buffer).setUint32(1, count, true);
  await ep.send(head);
  const buf = new Uint8Array(8);
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    await ep.send(buf);
    await ep.recv(buf);
  }
  return ((performance.now() - t0) * 1000) / count;
}

/** The host's side of OP_RMA on its window at `offset` (memory `mem`): true when the card saw
 * the pattern and every byte came back one higher. */
export async function rma(ep: Endpoint, offset: number, mem: Uint8Array): Promise<boolean> {
  for (let i = 0; i < mem.length; i++) mem[i] = pattern(i);
  const req = new Uint8Array(13);
  req[0] = OP_RMA;
  const view = new DataView(req.buffer);
  view.setFloat64(1, offset, true);
  view.setUint32(9, mem.length, true);
  await ep.send(req);
  const wrong = new Uint8Array(1);
  await ep.recv(wrong);
  if (wrong[0] !== 0) return false;
  for (let i = 0; i < mem.length; i++) if (mem[i] !== ((pattern(i) + 1) & 0xff)) return false;
  return true;
}
