// The slot queue pairs of the emulated network (the kernel's node queue pairs, scif_nodeqp.c,
// between attachments rather than nodes): one ring of control messages per ordered pair of
// slots, in the reader's memory, and the transport of typed messages over them.
//
// Invariants:
// - Slot k reads only rings whose reader is k and writes only rings whose writer is k, so
//   every ring has one producer thread and one consumer thread.
// - A ring is reset only while neither of its slots can touch it: by the claimer of a slot,
//   whose previous incarnation every live slot has released (see _slots.ts). A slot touches
//   the rings shared with slot j only while it has adopted j's current incarnation.
// - Messages between two slots travel in one ring per direction, so they arrive in the order
//   sent (CNCT_GNTACK before any DISCNCT of the same endpoint, for example). A message that
//   finds the ring full waits in an outbox, behind which later messages queue.

import type { PortId } from "../types.ts";
import {
  QP_DATA,
  QP_READ_CELL,
  QP_READER_WAITING,
  QP_RX_DESC,
  QP_TX_DESC,
  QP_WRITE_CELL,
  QP_WRITER_WAITING,
  slotQp,
  SLOTQP_RING_BYTES,
} from "./_layout.ts";
import { decode, encode, type Message } from "./_messages.ts";
import type { EmuShared } from "./_shared.ts";

/** Resets the slot queue pair whose reader is `reader` and writer is `writer`. */
export function resetSlotQp(net: EmuShared, reader: number, writer: number): void {
  const b = slotQp(net.layout, reader, writer);
  net.u8.fill(0, b, b + QP_DATA);
  const { core } = net;
  const size = SLOTQP_RING_BYTES;
  core.rb_init(
    b + QP_RX_DESC,
    b + QP_DATA,
    size,
    b + QP_READ_CELL,
    b + QP_WRITE_CELL,
    b + QP_READER_WAITING,
    b + QP_WRITER_WAITING,
  );
  core.rb_init(
    b + QP_TX_DESC,
    b + QP_DATA,
    size,
    b + QP_READ_CELL,
    b + QP_WRITE_CELL,
    b + QP_WRITER_WAITING,
    b + QP_READER_WAITING,
  );
}

/** The slot queue pairs of one slot, as its own thread uses them. */
export class SlotQueuePairs {
  readonly #net: EmuShared;
  readonly #self: number;
  readonly #outbox: Message[][];

  constructor(net: EmuShared, self: number) {
    this.#net = net;
    this.#self = self;
    this.#outbox = Array.from({ length: net.layout.slots }, () => []);
  }

  /** Queues `m` for slot `to` and tries to deliver it now. */
  post(to: number, m: Message): void {
    const box = this.#outbox[to];
    box.push(m);
    if (box.length === 1) this.#flushTo(to);
  }

  /** Moves queued messages into the rings. True while some are still waiting for room. */
  flush(): boolean {
    let left = false;
    for (let j = 0; j < this.#outbox.length; j++) {
      if (this.#outbox[j].length > 0 && this.#flushTo(j) > 0) left = true;
    }
    return left;
  }

  /** How many messages for slot `j` wait for room in its ring. */
  waiting(j: number): number {
    return this.#outbox[j].length;
  }

  /** Forgets what is queued for slot `j` (its incarnation ended). */
  drop(j: number): void {
    this.#outbox[j].length = 0;
  }

  /** Hands every message waiting from slot `j` to `handle`, in order: decoded, or null for one
   * whose fields are out of range (the caller counts and drops it). */
  drain(j: number, handle: (m: Message | null, raw: { op: number; src: PortId; dst: PortId }) => void): void {
    const { core, layout } = this.#net;
    const rx = slotQp(layout, this.#self, j) + QP_RX_DESC;
    const bounds = layout;
    for (let at = core.msg_peek(rx); at !== 0; at = core.msg_peek(rx)) {
      const op = core.msg_op(at);
      const src = { node: core.msg_src_node(at), port: core.msg_src_port(at) };
      const dst = { node: core.msg_dst_node(at), port: core.msg_dst_port(at) };
      const p: [bigint, bigint, bigint, bigint] = [
        BigInt.asUintN(64, core.msg_payload(at, 0)),
        BigInt.asUintN(64, core.msg_payload(at, 1)),
        BigInt.asUintN(64, core.msg_payload(at, 2)),
        BigInt.asUintN(64, core.msg_payload(at, 3)),
      ];
      // Consumed before it is handled: a handler that posts an answer may need the room.
      core.msg_release(rx);
      handle(decode(op, src, dst, p, bounds), { op, src, dst });
    }
  }

  #flushTo(j: number): number {
    const box = this.#outbox[j];
    const { core, layout } = this.#net;
    const tx = slotQp(layout, j, this.#self) + QP_TX_DESC;
    let sent = 0;
    while (sent < box.length) {
      const m = box[sent];
      const [p0, p1, p2, p3] = encode(m);
      if (core.msg_send(tx, m.src.node, m.src.port, m.dst.node, m.dst.port, m.op, p0, p1, p2, p3) === 0) {
        break;
      }
      sent++;
    }
    if (sent > 0) {
      box.splice(0, sent);
      this.#net.ringSlot(j);
    }
    return box.length;
  }
}
