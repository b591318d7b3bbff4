// A buggy node (tests/containment_test.ts): it writes random bytes into everything a node
// writes into in the shared memory — the rings and cells of its own connections (both
// directions), the slot queue pairs it writes into, its own windows — found the way any node of
// the network could find them, by reading the memory (its heap runs, its descriptors).
// Its ring descriptors too: a view stored over is broken (its seal, core-as/rb.ts), and the
// buggy node's own connection is reset rather than its thread trapped or its stores sent
// into other connections' rings.
import type { ScifNode } from "../mod.ts";
import { backendOf } from "../node.ts";
import type { EmuNode } from "../emu/_node.ts";
import {
  QP_DATA,
  QP_TX_DESC,
  QP_WRITE_CELL,
  QP_WRITER_WAITING,
  S_NODE,
  S_STATE,
  SLOT_ACTIVE,
  slotQp,
  SLOTQP_RING_BYTES,
} from "../emu/_layout.ts";
import { ByteSource, endpoint } from "./_scenarios.ts";
import { POLLIN, POLLOUT, ScifError } from "../mod.ts";

/** [address, length] pieces a buggy node of slot `slot` writes into. */
function targets(n: EmuNode): [number, number][] {
  const net = n.net;
  const l = net.layout;
  const i32 = net.i32;
  const out: [number, number][] = [];
  // The slot queue pairs it writes: the data and the writer's cells of every ring to others.
  for (let j = 0; j < l.slots; j++) {
    if (j === n.slot) continue;
    const b = slotQp(l, j, n.slot);
    out.push([b + QP_DATA, SLOTQP_RING_BYTES], [b + QP_WRITE_CELL, 64], [b + QP_WRITER_WAITING, 64]);
  }
  // Its own heap runs: its endpoint queue pairs (cells, descriptors, receive rings) and its
  // windows; and through each queue pair's send descriptor, the peer's ring and
  // the writer's cells there.
  for (let p = 0; p < l.heapPages;) {
    const run = net.heap.runOf(l.heap + p * 4096);
    if (!run) {
      p++;
      continue;
    }
    // (Its DMA engine's queue is private to its own thread: not among what it writes for others.)
    const qp = !run.user && run.bytes >= QP_DATA + l.ringBytes;
    if (run.owner === n.slot && (run.user || qp)) {
      out.push([run.head, run.bytes]);
      if (qp) {
        const peerData = Atomics.load(i32, (run.head + QP_TX_DESC) >> 2); // RB_BASE of the send view
        const peer = peerData - QP_DATA;
        if (net.heap.runOf(peer)?.head === peer) {
          out.push([peerData, l.ringBytes], [peer + QP_WRITE_CELL, 64], [peer + QP_WRITER_WAITING, 64]);
        }
      }
    }
    p = (run.head - l.heap) / 4096 + run.bytes / 4096;
  }
  return out;
}

/** Writes random bytes into what a buggy node writes, for `ms`, while its own thread keeps
 * sending and receiving on its endpoints kept as `eps` (non-blocking: a ScifError is an answer,
 * anything else, a trap of the core say, ends the scenario with it); resolves to the writes
 * made. */
export async function scribble(
  node: ScifNode,
  args: { ms: number; seed: number; eps?: string[] },
): Promise<number> {
  const n = backendOf(node) as EmuNode;
  const u8 = n.net.u8;
  const rnd = new ByteSource(args.seed);
  const until = performance.now() + args.ms;
  let writes = 0;
  let t = targets(n);
  const chunk = new Uint8Array(64);
  while (performance.now() < until) {
    for (let k = 0; k < 2000; k++) {
      const [at, len] = t[rnd.int(0, t.length - 1)];
      const off = at + rnd.int(0, Math.max(0, len - 64));
      rnd.fill(chunk);
      u8.set(chunk.subarray(0, Math.min(64, len)), off);
      writes++;
    }
    // Its own calls on its garbled connections.
    for (const name of args.eps ?? []) {
      const ep = endpoint(name);
      await ep.send(chunk.subarray(0, rnd.int(1, 64)), { block: false }).catch(answer);
      await ep.recv(new Uint8Array(4096), { block: false }).catch(answer);
      await node.poll([{ endpoint: ep, events: POLLIN | POLLOUT, revents: 0 }], 0).catch(answer);
    }
    // Let its own thread run now and then (its dispatcher, the test's messages), and look again
    // at what it owns.
    await new Promise((r) => setTimeout(r, 0));
    if (writes % 100_000 < 2000) t = targets(n);
  }
  return writes;
}

/** A call's failure that is an answer (a ScifError), not a crash. */
function answer(e: unknown): void {
  if (!(e instanceof ScifError)) throw e;
}

/** The node's dropped-message counter. */
export function dropped(node: ScifNode): Promise<number> {
  return Promise.resolve(node.stats().droppedMessages);
}

/** The active slot of node `node` other than ours (the victim's), or -1. */
function slotOf(n: EmuNode, node: number): number {
  for (let s = 0; s < n.net.layout.slots; s++) {
    if (s === n.slot) continue;
    if (n.net.slot(s, S_NODE) === node && n.net.slot(s, S_STATE) === SLOT_ACTIVE) return s;
  }
  return -1;
}

/** Writes a control message straight into the slot queue pair to node `to`'s slot, as a buggy
 * node could: any op, source and payload words (strings, for u64s). */
export function forge(
  node: ScifNode,
  args: { to: number; op: number; src: [number, number]; dst: [number, number]; p: string[] },
): Promise<boolean> {
  const n = backendOf(node) as EmuNode;
  const victim = slotOf(n, args.to);
  if (victim < 0) return Promise.resolve(false);
  const tx = slotQp(n.net.layout, victim, n.slot) + QP_TX_DESC;
  const [p0, p1, p2, p3] = args.p.map((w) => BigInt(w));
  const sent = n.net.core.msg_send(
    tx,
    args.src[0],
    args.src[1],
    args.dst[0],
    args.dst[1],
    args.op,
    p0,
    p1,
    p2,
    p3,
  );
  n.net.ringSlot(victim);
  return Promise.resolve(sent !== 0);
}

/** The address of a queue pair block of node `of`'s slot (some other connection's ring). */
export function someQueuePair(node: ScifNode, args: { of: number }): Promise<number> {
  const n = backendOf(node) as EmuNode;
  const victim = slotOf(n, args.of);
  const l = n.net.layout;
  for (let p = 0; p < l.heapPages; p++) {
    const run = n.net.heap.runOf(l.heap + p * 4096);
    if (run && run.owner === victim && !run.user && run.bytes >= QP_DATA + l.ringBytes) {
      return Promise.resolve(run.head);
    }
  }
  return Promise.resolve(0);
}

/** Writes a record into the peer's receive ring of a kept endpoint with a true tag and the
 * length `len` (larger than a record can be), as a buggy writer could. */
export function badRecord(node: ScifNode, args: { name: string; len: number }): Promise<void> {
  const n = backendOf(node) as EmuNode;
  endpoint(args.name); // it exists
  const l = n.net.layout;
  // Our queue pair block of that connection: the newest of ours with a peer.
  let block = 0;
  for (let p = 0; p < l.heapPages; p++) {
    const run = n.net.heap.runOf(l.heap + p * 4096);
    if (run && run.owner === n.slot && !run.user && run.bytes >= QP_DATA + l.ringBytes) block = run.head;
  }
  const i32 = n.net.i32;
  const tx = block + QP_TX_DESC;
  const base = Atomics.load(i32, tx >> 2); // RB_BASE: the peer's ring
  const cur = Atomics.load(i32, (tx + 20) >> 2); // RB_CUR_WRITE
  const key = new BigUint64Array(n.net.memory.buffer, tx + 40, 1)[0]; // ST_KEY
  const pos = new BigUint64Array(n.net.memory.buffer, tx + 48, 1)[0]; // ST_POS
  const hdr = base + cur;
  Atomics.store(i32, (hdr + 8) >> 2, args.len);
  Atomics.store(new BigUint64Array(n.net.memory.buffer), hdr >> 3, (pos + 1n) ^ key);
  return Promise.resolve();
}
