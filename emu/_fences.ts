// Fences of one emulated endpoint (the kernel's scif_fence.c): marks, waits and signals. A
// mark is a value of a DMA engine's submitted counter in the slot table, ours (INIT_SELF) or
// the peer slot's (INIT_PEER, with the kernel's SCIF_REMOTE_FENCE bit), so the peer's thread
// need not answer: its engine does the work, and its completed counter says how far it is.

import {
  SCIF_FENCE_INIT_PEER,
  SCIF_FENCE_INIT_SELF,
  SCIF_SIGNAL_LOCAL,
  SCIF_SIGNAL_REMOTE,
} from "../constants.ts";
import { ScifError } from "../errors.ts";
import { type Off, offAligned } from "../_offset.ts";
import { abortError, onAbort } from "../_abort.ts";
import { reached, waitCompleted } from "./_dma.ts";
import { silent } from "./_faults.ts";
import { S_DMA_FAILED, S_DMA_SUBMITTED, S_NODE, slotField } from "./_layout.ts";
import type { EndpointRma } from "./_rma.ts";
import type { RmaLink } from "./_rma_types.ts";

const MARK_PEER = 0x80000000; // a fence mark of the peer's RMAs (the kernel's SCIF_REMOTE_FENCE bit)
const SEQ = 0x7fffffff;

/** The fences of one connected endpoint. */
export class EndpointFences {
  readonly #link: RmaLink;
  readonly #rma: EndpointRma;
  readonly #peerEpoch: number;

  constructor(link: RmaLink, rma: EndpointRma, peerEpoch: number) {
    this.#link = link;
    this.#rma = rma;
    this.#peerEpoch = peerEpoch;
  }

  #submitted(slot: number): number {
    return this.#link.node.net.slot(slot, S_DMA_SUBMITTED) & SEQ;
  }

  mark(flags: number): Promise<number> {
    if (flags !== SCIF_FENCE_INIT_SELF && flags !== SCIF_FENCE_INIT_PEER) {
      throw new ScifError(
        "EINVAL",
        "fenceMark takes exactly one of SCIF_FENCE_INIT_SELF and SCIF_FENCE_INIT_PEER",
      );
    }
    if (flags === SCIF_FENCE_INIT_SELF) return Promise.resolve(this.#submitted(this.#link.node.slot));
    return Promise.resolve((this.#submitted(this.#link.peerSlot) | MARK_PEER) >>> 0);
  }

  /** Waits for `mark`; `broken` says why the connection can no longer be waited on (a peer's
   * mark waits on the peer's engine, and fails the way the next RMA call would). A mark not
   * reached within the network's fence timeout (the kernel's SCIF_NODE_ALIVE_TIMEOUT: a mark
   * never issued, an engine that no longer runs) fails with ETIMEDOUT, as _scif_fence_wait's. */
  async wait(mark: number, broken: () => ScifError | null, signal?: AbortSignal): Promise<void> {
    const peer = mark >= MARK_PEER;
    const net = this.#link.node.net;
    const slot = peer ? this.#link.peerSlot : this.#link.node.slot;
    const seq = (peer ? mark - MARK_PEER : mark) & SEQ;
    const until = performance.now() + net.fenceTimeoutMs;
    // Fault injection (emu/_faults.ts): a silent peer does not answer for its RMAs.
    if (peer && silent(net, net.slot(slot, S_NODE))) return this.#timedOut(until, seq, signal);
    await waitCompleted(net, slot, seq, net.spins, peer ? broken : undefined, net.fenceTimeoutMs, signal);
    // Fault injection: a failed transfer this mark covers never completes for the kernel's
    // fence, which waits its timeout out. Reported once (the first wait to clear the record).
    const failed = slotField(net.layout, slot, S_DMA_FAILED);
    const f = net.load(failed);
    if (f !== 0 && reached(seq, (f - 1) & SEQ) && net.cas(failed, f, 0) === f) {
      return this.#timedOut(until, seq, signal);
    }
  }

  /** Waits until `until` (a fault: what the mark waits for will not come), then ETIMEDOUT. */
  async #timedOut(until: number, seq: number, signal?: AbortSignal): Promise<never> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stop = () => {};
    await new Promise<void>((r) => {
      timer = setTimeout(r, Math.max(0, until - performance.now()));
      stop = onAbort(signal, r);
    });
    clearTimeout(timer);
    stop();
    if (signal?.aborted) throw abortError(signal, "fenceWait");
    throw new ScifError(
      "ETIMEDOUT",
      `fence mark ${seq} was not reached within ${this.#link.node.net.fenceTimeoutMs} ms (an injected fault)`,
    );
  }

  async signal(
    localOffset: Off,
    localValue: bigint,
    remoteOffset: Off,
    remoteValue: bigint,
    flags: number,
  ): Promise<void> {
    const rma = this.#rma;
    const node = this.#link.node;
    const init = flags & (SCIF_FENCE_INIT_SELF | SCIF_FENCE_INIT_PEER);
    const signal = flags & (SCIF_SIGNAL_LOCAL | SCIF_SIGNAL_REMOTE);
    if (
      (flags & ~(init | signal)) !== 0 || (init !== SCIF_FENCE_INIT_SELF && init !== SCIF_FENCE_INIT_PEER) ||
      signal === 0
    ) {
      throw new ScifError("EINVAL", `bad fence_signal flags 0x${flags.toString(16)}`);
    }
    if (
      (signal & SCIF_SIGNAL_LOCAL && !offAligned(localOffset, 4)) ||
      (signal & SCIF_SIGNAL_REMOTE && !offAligned(remoteOffset, 4))
    ) {
      throw new ScifError("EINVAL", "signal offsets must be 4-byte aligned");
    }
    const local = signal & SCIF_SIGNAL_LOCAL ? rma.signalAddress("local", localOffset) : -1;
    if (signal & SCIF_SIGNAL_REMOTE && rma.far) {
      // A peer on another machine: our RMAs to it are complete when their calls resolve (see
      // EndpointRma's delegation), so the signal may go now; the far end checks the window.
      if (local >= 0) await node.dma.signal(local, localValue);
      await rma.delegateSignal(remoteOffset, remoteValue);
      return;
    }
    const remote = signal & SCIF_SIGNAL_REMOTE ? rma.signalAddress("remote", remoteOffset) : -1;
    // INIT_SELF: after our queued RMAs, which our engine performs in order. INIT_PEER: our
    // engine waits for the peer's engine to pass the mark taken now.
    const peer = init === SCIF_FENCE_INIT_PEER
      ? { slot: this.#link.peerSlot, epoch: this.#peerEpoch, mark: this.#submitted(this.#link.peerSlot) }
      : undefined;
    if (local >= 0) await node.dma.signal(local, localValue, peer);
    if (remote >= 0) await node.dma.signal(remote, remoteValue, peer);
  }
}
