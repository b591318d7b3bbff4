// A node's DMA engine (the card's DMA channels, scif_dma.c): a Worker of its own that
// performs queued transfers in order, so that an RMA without SCIF_RMA_SYNC returns before its
// bytes have moved and fences have something to order.
//
// The slot's thread queues descriptors into a scif_rb ring (64-byte records in the scifmsg
// layout of the core's codec) that only the engine reads. Two counters in the slot table say
// how far it is: S_DMA_SUBMITTED (bumped by the slot's thread per descriptor) and
// S_DMA_COMPLETED (bumped by the engine after each one, and notified: on a machine's network
// with a futex too, since a fence of another process may wait on it). Both count modulo 2^31;
// a fence mark is a value of the submitted counter.
//
// Invariants:
// - Descriptors complete in the order queued; a descriptor's stores are all done before the
//   completed counter moves past it (its sequentially consistent add publishes them).
// - The engine is created by the slot's thread, so it ends with that thread: an ended slot's
//   engine stops too, and nothing it queued touches memory after its peers drop it.
//
// The engine's thread and how it is started are emu/_dma_thread.ts's. A runtime that cannot
// start one cannot have an engine: the transfers that need one (without SCIF_RMA_SYNC or
// SCIF_RMA_USECPU, fenceSignal) fail with EOPNOTSUPP at the call, and SYNC and USECPU
// transfers copy in the calling thread.

import { ScifError } from "../errors.ts";
import { abortError, onAbort } from "../_abort.ts";
import {
  LINE,
  NET_MACHINE,
  QP_DATA,
  QP_READ_CELL,
  QP_READER_WAITING,
  QP_RX_DESC,
  QP_TX_DESC,
  QP_WRITE_CELL,
  QP_WRITER_WAITING,
  S_DMA_COMPLETED,
  S_DMA_FAILED,
  S_DMA_SUBMITTED,
  S_DMA_WAITERS,
  S_DOORBELL,
  S_EPOCH,
  S_NODE,
  S_SLEEPING,
  S_STATE,
  S_WAKES,
  SLOT_ACTIVE,
  slotField,
} from "./_layout.ts";
import { type DmaInit, type EngineThread, startEngineThread } from "./_dma_thread.ts";
import type { EmuShared } from "./_shared.ts";
import { type DmaFault, dmaFault } from "./_faults.ts";

const RING_BYTES = 65536; // 1023 descriptors
const READY_CELL = 7 * LINE; // in the queue's block: 1 once the engine serves (a free line of a qp block)
const DMA_COPY = 1; // p0 destination, p1 source, p2 bytes, p3 bit 0: SCIF_RMA_ORDERED
const DMA_SIGNAL = 2; // p0 address, p1 u64 value, p2 (peer slot + 1) | peer epoch << 32, p3 peer mark
const DMA_STOP = 3;
const DMA_STALL = 4; // p0 milliseconds (fault injection: the engine sleeps that long)
const SEQ = 0x7fffffff;

/** Whether a counter at `count` has passed sequence number `seq` (modulo 2^31). */
export function reached(count: number, seq: number): boolean {
  return ((count - seq) & SEQ) < 0x40000000;
}

/** Resolves once slot `slot`'s engine has done sequence number `seq`: spins `spins` looks,
 * then sleeps on the counter. `abort` (for a peer slot's engine, which rings its own slot, not
 * ours): looks every few milliseconds instead, and whether it returns an error, to reject with. */
export async function waitCompleted(
  net: EmuShared,
  slot: number,
  seq: number,
  spins: number,
  abort?: () => ScifError | null,
  timeoutMs = Infinity,
  signal?: AbortSignal,
): Promise<void> {
  const i32 = net.i32;
  const addr = slotField(net.layout, slot, S_DMA_COMPLETED);
  const cell = addr >> 2;
  for (let i = 0; i < spins; i++) if (reached(Atomics.load(i32, cell), seq)) return;
  // An abort wakes the wait (a local notify of the cell it sleeps on), which then ends. (Made
  // after the spin, which returns without the finally that removes it.)
  const stop = onAbort(signal, () => net.notify(addr));
  // Our engine rings our slot while someone waits for it (S_DMA_WAITERS), after its
  // completion count moved: announce first, then look, then sleep (no lost wake-up).
  const waiters = slotField(net.layout, slot, S_DMA_WAITERS) >> 2;
  if (!abort) Atomics.add(i32, waiters, 1);
  const until = performance.now() + timeoutMs;
  try {
    for (;;) {
      const seen = Atomics.load(i32, cell);
      if (reached(seen, seq)) return;
      const e = abort?.();
      if (e) throw e;
      if (signal?.aborted) throw abortError(signal, "fenceWait");
      const left = until - performance.now();
      if (left <= 0) {
        throw new ScifError("ETIMEDOUT", `fence mark ${seq} was not reached within ${timeoutMs} ms`);
      }
      await net.sleep(addr, seen, Math.min(left, abort ? PEER_POLL_MS : Infinity));
    }
  } finally {
    stop();
    if (!abort) Atomics.sub(i32, waiters, 1);
  }
}

/** How often a wait for a peer slot's engine looks at its counter. */
const PEER_POLL_MS = 5;

/** The queue of one slot's DMA engine, as the slot's thread uses it. */
export class DmaEngine {
  readonly #net: EmuShared;
  readonly #slot: number;
  readonly #block: number;
  readonly #submitted: number;
  readonly #completed: number;
  #worker: EngineThread | null = null;
  /** Why no engine can be started in this runtime (then nothing is ever queued). */
  #unavailable: ScifError | null = null;
  /** The Blob URL the engine's Worker runs from, until it runs. */
  #url: string | null = null;
  readonly #after: { seq: number; fn: () => void }[] = [];
  #watching = false;
  #failed: ScifError | null = null;
  /** Transfers decided about by fault injection so far (the index of the next one). */
  #transfers = 0;

  constructor(net: EmuShared, slot: number) {
    this.#net = net;
    this.#slot = slot;
    net.store(slotField(net.layout, slot, S_DMA_FAILED), 0);
    this.#submitted = slotField(net.layout, slot, S_DMA_SUBMITTED);
    this.#completed = slotField(net.layout, slot, S_DMA_COMPLETED);
    net.store(this.#completed, net.load(this.#submitted));
    const block = net.heap.alloc(QP_DATA + RING_BYTES, slot);
    if (block === 0) throw new ScifError("ENOMEM", "no shared memory left for a DMA queue");
    this.#block = block;
    const b = block;
    net.core.rb_init(
      b + QP_RX_DESC,
      b + QP_DATA,
      RING_BYTES,
      b + QP_READ_CELL,
      b + QP_WRITE_CELL,
      b + QP_READER_WAITING,
      b + QP_WRITER_WAITING,
    );
    net.core.rb_init(
      b + QP_TX_DESC,
      b + QP_DATA,
      RING_BYTES,
      b + QP_READ_CELL,
      b + QP_WRITE_CELL,
      b + QP_WRITER_WAITING,
      b + QP_READER_WAITING,
    );
  }

  /** The sequence number of the last descriptor queued (a fence mark). */
  get submitted(): number {
    return this.#net.load(this.#submitted) & SEQ;
  }

  /** Whether the engine's Worker is serving its queue (it takes a while to start). */
  get started(): boolean {
    const running = this.#worker !== null && this.#net.load(this.#block + READY_CELL) === 1;
    if (running && this.#url !== null) this.#revoke();
    return running;
  }

  /** Revokes the Blob URL the engine was started from (it runs: the URL was read). */
  #revoke(): void {
    if (this.#url !== null) URL.revokeObjectURL(this.#url);
    this.#url = null;
  }

  /** Whether every queued descriptor is done. */
  get idle(): boolean {
    return this.#net.load(this.#completed) === this.#net.load(this.#submitted);
  }

  /** Queues a copy of `length` bytes from `src` to `dst`; resolves to its sequence number. */
  copy(dst: number, src: number, length: number, ordered: boolean): Promise<number> {
    return this.#submit(DMA_COPY, BigInt(dst), BigInt(src), BigInt(length), ordered ? 1n : 0n);
  }

  /** Queues the store of a u64 `value` at `addr`, after every descriptor before it and, when
   * `peer` is given, after that slot's engine has completed `peer.mark`. */
  signal(addr: number, value: bigint, peer?: { slot: number; epoch: number; mark: number }): Promise<number> {
    const wait = peer ? BigInt(peer.slot + 1) | (BigInt(peer.epoch) << 32n) : 0n;
    return this.#submit(DMA_SIGNAL, BigInt(addr), BigInt.asUintN(64, value), wait, BigInt(peer?.mark ?? 0));
  }

  /** Fault injection (emu/_faults.ts), called only while a plan is set: the fault of this
   * node's next DMA transfer, or null. */
  fault(): DmaFault | null {
    return dmaFault(this.#net, this.#net.slot(this.#slot, S_NODE), this.#transfers++);
  }

  /** Fault injection: queues a stall of the engine for `ms` milliseconds. */
  stall(ms: number): Promise<number> {
    return this.#submit(DMA_STALL, BigInt(ms), 0n, 0n, 0n);
  }

  /** Fault injection: queues a transfer that fails (it moves nothing) and records it for the
   * first fence that covers it (S_DMA_FAILED, kept for the oldest not reported yet). */
  async failing(): Promise<number> {
    const seq = await this.#submit(DMA_COPY, 0n, 0n, 0n, 0n);
    this.#net.cas(slotField(this.#net.layout, this.#slot, S_DMA_FAILED), 0, seq + 1);
    return seq;
  }

  /** Starts the engine's Worker now rather than at the first transfer (a Worker started by a
   * Worker takes about half a second to run). */
  start(): void {
    try {
      this.#engine();
    } catch {
      // Said by the call that needs the engine (available()).
    }
  }

  /** Throws the EOPNOTSUPP of a runtime where no engine can run; else starts it (at most once). */
  available(): void {
    this.#engine();
  }

  #engine(): EngineThread {
    if (this.#unavailable) throw this.#unavailable;
    try {
      return this.#worker ??= this.#start();
    } catch (e) {
      this.#unavailable = e instanceof ScifError ? e : new ScifError(
        "EOPNOTSUPP",
        `the DMA engine of slot ${this.#slot} could not be started (${String(e)}): pass SCIF_RMA_SYNC or ` +
          "SCIF_RMA_USECPU, which copy in the calling thread",
      );
      throw this.#unavailable;
    }
  }

  async #submit(op: number, p0: bigint, p1: bigint, p2: bigint, p3: bigint): Promise<number> {
    this.#engine();
    const { core, i32 } = this.#net;
    const tx = this.#block + QP_TX_DESC;
    for (;;) {
      const sent = core.msg_send(tx, 0, 0, 0, 0, op, p0, p1, p2, p3);
      if (sent !== 0) {
        const seq = (Atomics.add(i32, this.#submitted >> 2, 1) + 1) & SEQ;
        if (sent === 3) Atomics.notify(i32, (this.#block + QP_WRITE_CELL) >> 2);
        // Nothing queued returns before the engine runs: a browser starts a Worker's Worker
        // only while its parent's event loop turns, and a caller that then spins (on a flag
        // the transfer will write, say) would keep it from ever starting.
        if (!this.started) await this.#ready();
        return seq;
      }
      // The queue is full: wait for the engine to take descriptors.
      core.rb_set_waiting(tx, 1);
      const cell = this.#block + QP_READ_CELL;
      const seen = Atomics.load(i32, cell >> 2);
      if (core.rb_space(tx) < 64) await this.#net.sleep(cell, seen, 10);
      core.rb_set_waiting(tx, 0);
    }
  }

  /** Resolves once the engine's Worker serves its queue. */
  async #ready(): Promise<void> {
    const cell = this.#block + READY_CELL;
    while (Atomics.load(this.#net.i32, cell >> 2) !== 1) {
      if (this.#failed) throw this.#failed;
      await this.#net.sleep(cell, 0, 100);
    }
    this.#revoke();
  }

  /** Resolves once sequence number `seq` is done. */
  waitFor(seq: number, spins: number): Promise<void> {
    return waitCompleted(this.#net, this.#slot, seq, spins);
  }

  /** Runs `fn` once sequence number `seq` is done (now, if it is). */
  after(seq: number, fn: () => void): void {
    if (reached(this.#net.load(this.#completed), seq)) return fn();
    this.#after.push({ seq, fn });
    if (!this.#watching) this.#watch();
  }

  async #watch(): Promise<void> {
    this.#watching = true;
    try {
      while (this.#after.length > 0) {
        await this.waitFor(this.#after[0].seq, 0);
        const done = this.#net.load(this.#completed);
        while (this.#after.length > 0 && reached(done, this.#after[0].seq)) this.#after.shift()!.fn();
      }
    } finally {
      this.#watching = false;
    }
  }

  /** Lets the queued descriptors finish, then stops the engine and frees its queue. */
  async close(): Promise<void> {
    if (this.#worker) {
      // An engine that failed to run has nothing to finish.
      if (!this.#failed) {
        try {
          const seq = await this.#submit(DMA_STOP, 0n, 0n, 0n, 0n);
          let timer: ReturnType<typeof setTimeout> | undefined;
          await Promise.race([this.waitFor(seq, 0), new Promise((r) => (timer = setTimeout(r, 1000)))]);
          clearTimeout(timer);
        } catch {
          // It failed meanwhile: ended below all the same.
        }
      }
      this.#worker.terminate();
      this.#worker = null;
    }
    for (const a of this.#after.splice(0)) a.fn();
    this.#net.heap.release(this.#block, this.#slot);
  }

  #start(): EngineThread {
    const name = `scif DMA engine of slot ${this.#slot}`;
    const { thread, url } = startEngineThread(name, (message) => {
      this.#failed = new ScifError(
        "ENODEV",
        `the DMA engine of slot ${this.#slot} could not run: ${message}`,
      );
    });
    // Bun reads a Blob URL only after the constructor returns: revoked once the engine is seen
    // to run (or ends).
    this.#url = url;
    const worker: EngineThread = {
      postMessage: (m) => thread.postMessage(m),
      terminate: () => (thread.terminate(), this.#revoke()),
    };
    const l = this.#net.layout;
    const init: DmaInit = {
      memory: this.#net.memory,
      module: this.#net.module,
      rx: this.#block + QP_RX_DESC,
      ready: this.#block + READY_CELL,
      writeCell: this.#block + QP_WRITE_CELL,
      readCell: this.#block + QP_READ_CELL,
      completed: this.#completed,
      waiters: slotField(l, this.#slot, S_DMA_WAITERS),
      doorbell: slotField(l, this.#slot, S_DOORBELL),
      sleeping: slotField(l, this.#slot, S_SLEEPING),
      wakes: slotField(l, this.#slot, S_WAKES),
      slotTable: l.slotTable,
      line: LINE,
      fields: { completed: S_DMA_COMPLETED, state: S_STATE, epoch: S_EPOCH, active: SLOT_ACTIVE },
      spins: this.#net.spins,
      futex: this.#net.kind === NET_MACHINE,
    };
    worker.postMessage(init);
    return worker;
  }
}
