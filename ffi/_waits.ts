// The waits of a hardware endpoint's calls (ffi/_endpoint.ts): a call that may block runs, once
// it must wait, on a blocking-call Worker (ffi/_blocking.ts), and close() keeps the ones not
// started yet from running on a reused descriptor number.
//
// An AbortSignal cannot interrupt an ioctl that waits in the kernel (only a signal delivered to
// its thread could), so a call given one waits in slices instead: a poll of the descriptor on a
// Worker for at most SLICE_MS, after which the caller looks at its signal again.

import { ScifError } from "../errors.ts";
import { type BlockingCall, type BlockingPool, Gate } from "./_blocking.ts";

/** The longest wait of an abortable call before it looks at its signal again. */
const SLICE_MS = 20;

/** The blocking calls of one endpoint on /dev/scif. */
export class EndpointWaits {
  readonly #pool: BlockingPool;
  readonly #fd: number;
  readonly #closed: () => boolean;
  readonly #gates = new Set<Gate>(); // blocking calls queued or running on a Worker

  constructor(pool: BlockingPool, fd: number, closed: () => boolean) {
    this.#pool = pool;
    this.#fd = fd;
    this.#closed = closed;
  }

  /** Runs a blocking call on a Worker; throws the ScifError of its errno. A call that close()
   * kept from starting fails as the kernel fails one that a close interrupts: `interrupted`. */
  async blocking(
    call: BlockingCall,
    what: string,
    interrupted: "EINTR" | "ENOTCONN" = "ENOTCONN",
  ): Promise<number> {
    const gate = new Gate();
    this.#gates.add(gate);
    try {
      const { ret, errno } = await this.#pool.call(call, gate);
      if (gate.cancelled) throw new ScifError(interrupted, `${what}: the endpoint was closed`);
      if (ret === -1) throw ScifError.fromErrno(errno, what);
      return ret;
    } finally {
      this.#gates.delete(gate);
    }
  }

  /** Waits (on a Worker) until the descriptor has `events`, or SLICE_MS: one slice of an
   * abortable call. */
  async slice(events: number, interrupted: "EINTR" | "ENOTCONN"): Promise<void> {
    const fds = new Uint8Array(new SharedArrayBuffer(8)); // struct pollfd
    const view = new DataView(fds.buffer);
    view.setInt32(0, this.#fd, true);
    view.setInt16(4, events, true);
    const r = await this.#pool.call({
      op: "poll",
      fds: fds.buffer as SharedArrayBuffer,
      nfds: 1,
      timeout: SLICE_MS,
    });
    // Closed here meanwhile: the answer of the same call without a signal (see blocking).
    if (this.#closed()) throw new ScifError(interrupted, "the endpoint was closed");
    if (r.ret === -1 && ScifError.fromErrno(r.errno, "poll").code !== "EINTR") {
      throw ScifError.fromErrno(r.errno, "poll");
    }
  }

  /** Keeps every call not started yet from running (close: the number may be reused). */
  cancelAll(): void {
    for (const gate of this.#gates) gate.cancel();
  }
}
