// How a slot sends control messages (the kernel's scif_nodeqp_send): into the ring of the slot
// queue pair it shares with the destination (emu/_slot_qp.ts), a slot whose incarnation it has
// adopted (emu/_peers.ts).
//
// Invariants:
// - A slot writes into the rings shared with slot j only while it has adopted j's current
//   incarnation, and not at all once it is stopped: otherwise ENODEV, and nothing is written.
// - postOrdered returns only once its message is in the destination's ring, so that what the
//   caller publishes next cannot overtake it; while it waits for room it takes in its own mail,
//   so that two slots that wait for room in each other's rings both go on.

import { ScifError } from "../errors.ts";
import type { Message } from "./_messages.ts";
import type { PeerTracker } from "./_peers.ts";
import type { SlotQueuePairs } from "./_slot_qp.ts";

/** How long a control message that must go out now waits for room (the kernel's 3 s). */
const POST_WAIT_MS = 3000;

/** What the sender needs of its slot. */
export interface PostHost {
  readonly slot: number;
  /** Whether the slot has stopped (closed, or lost). */
  stopped(): boolean;
  /** Handles now the control messages slot `j` has sent. */
  pumpFrom(j: number): void;
}

/** The control messages one slot sends. */
export class ControlPost {
  readonly #host: PostHost;
  readonly #qps: SlotQueuePairs;
  readonly #peers: PeerTracker;

  constructor(host: PostHost, qps: SlotQueuePairs, peers: PeerTracker) {
    this.#host = host;
    this.#qps = qps;
    this.#peers = peers;
  }

  /** Sends a control message to slot `to`. ENODEV when its incarnation is not adopted. */
  post(to: number, m: Message): void {
    const self = this.#host.slot;
    if (this.#peers.known(to) === -1 && to !== self && !this.#host.stopped()) this.#peers.sync(false);
    if (this.#host.stopped() || (to !== self && this.#peers.known(to) === -1)) {
      throw new ScifError("ENODEV", `node ${m.dst.node} is not reachable`);
    }
    this.#qps.post(to, m);
  }

  /** Sends a control message and sees it into the destination's ring before returning, so that
   * whatever this thread publishes next (stream bytes, say) cannot overtake it. */
  postOrdered(to: number, m: Message): void {
    this.post(to, m);
    const until = performance.now() + POST_WAIT_MS;
    while (this.#qps.waiting(to) > 0) {
      // The ring is full: let the peer's thread drain it, taking in our own mail meanwhile so
      // that a peer that is waiting for room in our rings can go on too.
      this.#host.pumpFrom(this.#host.slot);
      for (const j of this.#peers.adoptedSlots()) this.#host.pumpFrom(j);
      this.#qps.flush();
      if (performance.now() > until) {
        throw new ScifError("ENODEV", `node ${m.dst.node} does not take control messages`);
      }
    }
  }

  /** Sends a control message if the destination is still there; says whether it went. */
  tryPost(to: number, m: Message): boolean {
    try {
      this.post(to, m);
      return true;
    } catch {
      return false;
    }
  }
}
