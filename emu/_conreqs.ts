// A listener's pending connection requests (the kernel's conreq list of a listening endpoint,
// emu/_endpoint.ts): queued by SCIF_CNCT_REQ up to the backlog, taken by accept oldest first,
// refused with SCIF_CNCT_REJ.

import type { PortId } from "../types.ts";
import { type Message, SCIF_CNCT_REJ } from "./_messages.ts";

/** A connection request queued on a listener (the kernel's conreq). */
export interface ConReq {
  readonly peer: PortId;
  readonly slot: number;
  readonly epoch: number;
  readonly qp: number;
  readonly token: number;
}

/** The pending requests of one listener, oldest first. */
export class ConReqQueue {
  /** How many requests may wait (listen's backlog). */
  backlog = 0;
  readonly #reqs: ConReq[] = [];

  get length(): number {
    return this.#reqs.length;
  }

  /** Whether the backlog is full. */
  get full(): boolean {
    return this.#reqs.length >= this.backlog;
  }

  push(req: ConReq): void {
    this.#reqs.push(req);
  }

  /** The oldest request, taken off the queue. */
  shift(): ConReq | undefined {
    return this.#reqs.shift();
  }

  /** Every request, taken off the queue. */
  takeAll(): ConReq[] {
    return this.#reqs.splice(0);
  }

  /** Forgets the requests that came from slot `k`. */
  forgetSlot(k: number): void {
    for (let i = this.#reqs.length - 1; i >= 0; i--) {
      if (this.#reqs[i].slot === k) this.#reqs.splice(i, 1);
    }
  }
}

/** Refuses `req` (SCIF_CNCT_REJ) from the listener's port `src`, if its slot is still there. */
export function refuse(node: { tryPost(to: number, m: Message): boolean }, src: PortId, req: ConReq): void {
  node.tryPost(req.slot, { op: SCIF_CNCT_REJ, src, dst: req.peer, token: req.token });
}
