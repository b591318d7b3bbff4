// Node queue pairs of the emulated network (the kernel's scif_nodeqp.c): one ring of control
// messages per ordered pair of nodes, in the reader's memory, and the transport over them.
//
// Invariants:
// - Node k reads only rings whose reader is k and writes only rings whose writer is k, so
//   every ring has one producer thread and one consumer thread.
// - A ring is reset only while neither of its nodes can touch it: by the attaching node, under
//   the network's attach lock, after every online node has released the attaching node's
//   previous incarnation (see _node.ts). A node touches the rings shared with node j only while
//   it has adopted j's current incarnation.
// - Messages between two nodes travel in one ring per direction, so they arrive in the order
//   sent (CNCT_GNTACK before any DISCNCT of the same endpoint, for example). A message that
//   finds the ring full waits in an outbox, behind which later messages queue.

import { ScifError } from "../errors.ts";
import type { PortId } from "../types.ts";
import {
  N_DOORBELL,
  nodeField,
  nodeQp,
  NODEQP_RING_BYTES,
  QP_DATA,
  QP_READ_CELL,
  QP_READER_WAITING,
  QP_RX_DESC,
  QP_TX_DESC,
  QP_WRITE_CELL,
  QP_WRITER_WAITING,
} from "./_layout.ts";
import type { EmuShared } from "./_shared.ts";

/** A decoded control message (struct scifmsg). */
export interface Message {
  readonly op: number;
  readonly src: PortId;
  readonly dst: PortId;
  readonly p: readonly [bigint, bigint, bigint, bigint];
}

/** Payload word `i` as the u64 it is (WebAssembly hands i64 to JS as a signed bigint). */
function word(core: EmuShared["core"], at: number, i: number): bigint {
  return BigInt.asUintN(64, core.msg_payload(at, i));
}

/** Resets the node queue pair whose reader is `reader` and writer is `writer`. */
export function resetNodeQp(net: EmuShared, reader: number, writer: number): void {
  const b = nodeQp(net.layout, reader, writer);
  net.u8.fill(0, b, b + QP_DATA);
  const { core } = net;
  const size = NODEQP_RING_BYTES;
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

/** The node queue pairs of one node, as its own thread uses them. */
export class NodeQueuePairs {
  readonly #net: EmuShared;
  readonly #self: number;
  readonly #outbox: Message[][];

  constructor(net: EmuShared, self: number) {
    this.#net = net;
    this.#self = self;
    this.#outbox = Array.from({ length: net.layout.nodes }, () => []);
  }

  /** Queues `m` for node `m.dst.node` and tries to deliver it now. */
  post(m: Message): void {
    const box = this.#outbox[m.dst.node];
    box.push(m);
    if (box.length === 1) this.#flushTo(m.dst.node);
  }

  /** Moves queued messages into the rings. True while some are still waiting for room. */
  flush(): boolean {
    let left = false;
    for (let j = 0; j < this.#outbox.length; j++) {
      if (this.#outbox[j].length > 0 && this.#flushTo(j) > 0) left = true;
    }
    return left;
  }

  /** How many messages for node `j` wait for room in its ring. */
  waiting(j: number): number {
    return this.#outbox[j].length;
  }

  /** Forgets what is queued for node `j` (it is gone). */
  drop(j: number): void {
    this.#outbox[j].length = 0;
  }

  /** Hands every message waiting from node `j` to `handle`, in order. */
  drain(j: number, handle: (m: Message) => void): void {
    const { core, layout } = this.#net;
    const rx = nodeQp(layout, this.#self, j) + QP_RX_DESC;
    for (let at = core.msg_peek(rx); at !== 0; at = core.msg_peek(rx)) {
      const m: Message = {
        op: core.msg_op(at),
        src: { node: core.msg_src_node(at), port: core.msg_src_port(at) },
        dst: { node: core.msg_dst_node(at), port: core.msg_dst_port(at) },
        p: [word(core, at, 0), word(core, at, 1), word(core, at, 2), word(core, at, 3)],
      };
      core.msg_release(rx);
      try {
        handle(m);
      } catch (e) {
        if (!(e instanceof ScifError)) throw e;
      }
    }
  }

  #flushTo(j: number): number {
    const box = this.#outbox[j];
    const { core, layout } = this.#net;
    const tx = nodeQp(layout, j, this.#self) + QP_TX_DESC;
    let sent = 0;
    while (sent < box.length) {
      const m = box[sent];
      if (
        core.msg_send(
          tx,
          m.src.node,
          m.src.port,
          m.dst.node,
          m.dst.port,
          m.op,
          m.p[0],
          m.p[1],
          m.p[2],
          m.p[3],
        ) === 0
      ) break;
      sent++;
    }
    if (sent > 0) {
      box.splice(0, sent);
      this.#net.ring(nodeField(layout, j, N_DOORBELL));
    }
    return box.length;
  }
}
