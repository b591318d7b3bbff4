// The endpoint queue pair of the emulated network: one connected endpoint's receive ring and
// its view of the peer's receive ring (the kernel's scif_qp for an endpoint), and the byte
// stream over them. Ring logic is the WebAssembly core's (core-as/rb.ts); this layer copies
// user bytes straight between the caller's array and ring space, with no staging buffer.
//
// Invariants:
// - Each endpoint owns one block (emu/_layout.ts, QP_*): its receive ring and the cells of
//   the scif_rb design that live in its "memory". The peer owns the mirror block, so the
//   writer of a ring loads only the read cell in its own block and the reader loads only the
//   write cell in its own block; everything that crosses is a store.
// - Only the owning endpoint's thread calls into one EndpointQp.
// - Sleeping is announced in the peer's memory (rb_set_waiting) before the last look at the
//   ring, and the peer loads that announcement after publishing, so no wake-up is lost.
// - Nothing is stored into the peer's block after detachPeer(): the peer frees it once it has
//   our acknowledgement of its disconnect (or it is gone), and the heap may hand it out again.
//   From then on our receive ring publishes its consumption into a cell of our own block, so
//   the bytes the peer sent before it left can still be drained.

import type { CoreExports } from "../core/scif_core.ts";
import { ScifError } from "../errors.ts";
import {
  QP_DATA,
  QP_KEY,
  QP_LOCAL_READ_CELL,
  QP_LOCAL_WAITING,
  QP_READ_CELL,
  QP_READER_WAITING,
  QP_RX_DESC,
  QP_TX_DESC,
  QP_WRITE_CELL,
  QP_WRITER_WAITING,
} from "./_layout.ts";
import type { EmuShared } from "./_shared.ts";

// At or below this many bytes a JS loop beats subarray() + set().
const SMALL = 64;
// core-as/stream.ts packs offset * 2^27 + count into one number; both are below 2^26, so the
// offset is the integer part of r / PACK (truncation: a float modulo would cost a call).
const PACK = 134217728;

/** One endpoint's queue pair. */
export class EndpointQp {
  /** The address of this endpoint's block in the shared memory. */
  readonly block: number;
  readonly #net: EmuShared;
  readonly #core: CoreExports;
  readonly #u8: Uint8Array;
  readonly #i32: Int32Array;
  readonly #size: number;
  readonly #rx: number; // our reader descriptor
  readonly #tx: number; // our writer descriptor
  readonly #rxBase: number;
  #txBase = 0;
  #txWriteCell = 0; // in the peer's block: we publish our writes there
  #rxReadCell = 0; // in the peer's block: we publish our reads there
  readonly #rxWriteCell: number; // in our block: the peer publishes its writes here
  readonly #txReadCell: number; // in our block: the peer publishes its reads here
  readonly #owner: number;
  #attached = false;
  #peerAttached = false;
  #broken = false;
  #told = false;
  #peerSlot = -1;

  private constructor(net: EmuShared, block: number, owner: number) {
    this.#net = net;
    this.#owner = owner;
    this.#core = net.core;
    this.#u8 = net.u8;
    this.#i32 = net.i32;
    this.#size = net.layout.ringBytes;
    this.block = block;
    this.#rx = block + QP_RX_DESC;
    this.#tx = block + QP_TX_DESC;
    this.#rxBase = block + QP_DATA;
    this.#rxWriteCell = block + QP_WRITE_CELL;
    this.#txReadCell = block + QP_READ_CELL;
  }

  /** Allocates a block for an endpoint of slot `owner` (ENOMEM when the memory is full). */
  static alloc(net: EmuShared, owner: number): EndpointQp {
    const block = net.heap.alloc(QP_DATA + net.layout.ringBytes, owner);
    if (block === 0) throw new ScifError("ENOMEM", "no shared memory left for an endpoint queue pair");
    // The key of our receive ring: published with the block's address (a message), read once
    // by the peer when it attaches.
    // (Browsers refuse to fill a view of shared memory: the bytes are made apart, then copied.)
    net.u8.set(crypto.getRandomValues(new Uint8Array(8)), block + QP_KEY);
    return new EndpointQp(net, block, owner);
  }

  /** Builds both ring views once the peer's block (of slot `peerSlot`) is known. */
  attach(peer: number, peerSlot: number): void {
    this.#peerSlot = peerSlot;
    const own = this.block;
    const core = this.#core;
    core.rb_init(
      this.#rx,
      this.#rxBase,
      this.#size,
      peer + QP_READ_CELL,
      this.#rxWriteCell,
      peer + QP_READER_WAITING,
      own + QP_WRITER_WAITING,
    );
    core.rb_init(
      this.#tx,
      peer + QP_DATA,
      this.#size,
      this.#txReadCell,
      peer + QP_WRITE_CELL,
      peer + QP_WRITER_WAITING,
      own + QP_READER_WAITING,
    );
    core.st_init(this.#rx, this.#key(own));
    core.st_init(this.#tx, this.#key(peer));
    this.#txBase = peer + QP_DATA;
    this.#txWriteCell = peer + QP_WRITE_CELL;
    this.#rxReadCell = peer + QP_READ_CELL;
    this.#attached = true;
    this.#peerAttached = true;
  }

  /** The u64 key of the receive ring of the block at `block` (two i32 loads: a 64-bit view
   * of the whole memory made per connection would be garbage of its own). */
  #key(block: number): bigint {
    const i = (block + QP_KEY) >> 2;
    return (BigInt(Atomics.load(this.#i32, i + 1) >>> 0) << 32n) | BigInt(Atomics.load(this.#i32, i) >>> 0);
  }

  /** Stops every store into the peer's block (the peer left); the receive ring stays readable. */
  detachPeer(): void {
    if (!this.#peerAttached) return;
    this.#peerAttached = false;
    const own = this.block;
    this.#rxReadCell = own + QP_LOCAL_READ_CELL;
    this.#core.rb_retarget(this.#rx, this.#rxReadCell, own + QP_LOCAL_WAITING);
  }

  /** Returns the block to the heap: the peer must no longer write into it. */
  free(): void {
    this.detachPeer();
    this.#attached = false;
    this.#net.heap.release(this.block, this.#owner);
  }

  /** Copies what fits of data[from..] into the peer's ring and publishes it, as records of
   * at most a quarter of the ring. Returns the count. */
  put(data: Uint8Array, from: number): number {
    const core = this.#core;
    const u8 = this.#u8;
    const base = this.#txBase;
    let done = 0;
    do {
      const want = data.length - from - done;
      const r = core.st_reserve(this.#tx, want);
      if (r < 0) {
        this.#broken = true;
        break;
      }
      const off = (r / PACK) | 0;
      const space = r - off * PACK;
      const n = space < want ? space : want;
      if (n === 0) break;
      const at = base + off;
      const src = from + done;
      const tail = this.#size - off;
      const first = n < tail ? n : tail;
      if (n <= SMALL) {
        for (let i = 0; i < first; i++) u8[at + i] = data[src + i];
        for (let i = first; i < n; i++) u8[base + i - first] = data[src + i];
      } else {
        u8.set(data.subarray(src, src + first), at);
        if (first < n) u8.set(data.subarray(src + first, src + n), base);
      }
      const c = core.st_commit(this.#tx, n);
      if (c < 0) {
        this.#broken = true;
        break;
      }
      if (c) this.#wakeReader();
      done += n;
    } while (from + done < data.length);
    return done;
  }

  /** Whether the peer wrote a record header no writer could have made, or a view of ours was
   * stored over (its seal: core-as/rb.ts): nothing more moves through this queue pair. */
  get broken(): boolean {
    return this.#broken;
  }

  /** Notes a broken result of the core (negative); returns `r`. */
  #check(r: number): number {
    if (r < 0) this.#broken = true;
    return r;
  }

  /** Copies what is available into into[from..], spinning up to `spins` turns while the ring
   * is empty, and publishes the consumption. Returns the count, or -1 the first time the ring
   * is found broken (0 after that). */
  take(into: Uint8Array, from: number, spins: number): number {
    if (this.#broken) return this.#tellBroken();
    const core = this.#core;
    let r = core.st_peek(this.#rx, 0);
    if (r === 0) {
      // Nothing yet: publish what we read before we wait (the writer may need the room).
      this.publish();
      if (spins === 0 || (r = core.st_peek(this.#rx, spins)) === 0) {
        return this.#broken ? this.#tellBroken() : 0;
      }
    }
    if (r < 0) {
      this.#broken = true;
      return this.#tellBroken();
    }
    const off = (r / PACK) | 0;
    const count = r - off * PACK;
    const want = into.length - from;
    const n = count < want ? count : want;
    const u8 = this.#u8;
    const base = this.#rxBase;
    const tail = this.#size - off;
    const first = n < tail ? n : tail;
    const at = base + off;
    if (n <= SMALL) {
      for (let i = 0; i < first; i++) into[from + i] = u8[at + i];
      for (let i = first; i < n; i++) into[from + i] = u8[base + i - first];
    } else {
      into.set(u8.subarray(at, at + first), from);
      if (first < n) into.set(u8.subarray(base, base + n - first), from + first);
    }
    const c = core.st_release(this.#rx, n);
    if (c > 0) this.#wakeWriter();
    else if (c < 0) this.#broken = true; // the bytes taken were a whole part of a checked record
    return n;
  }

  /** take()'s answer for a broken queue pair: -1 the first time, 0 after. */
  #tellBroken(): number {
    if (this.#told) return 0;
    this.#told = true;
    return -1;
  }

  /** Data bytes of the record being received (0: nothing has arrived). */
  count(): number {
    if (!this.#attached || this.#broken) return 0;
    const r = this.#check(this.#core.st_peek(this.#rx, 0));
    return r < 0 ? 0 : r - ((r / PACK) | 0) * PACK;
  }

  /** Publishes the read offset if records were consumed since (see core-as/stream.ts). */
  publish(): void {
    if (this.#attached && this.#check(this.#core.st_publish(this.#rx)) > 0) this.#wakeWriter();
  }

  /** Whether everything we sent has been read (as far as the peer has published). */
  txDrained(): boolean {
    return this.#peerAttached && this.#core.st_space(this.#tx) === this.#size - 32;
  }

  /** Bytes that may be sent now (0 once the peer is gone). */
  space(): number {
    return this.#peerAttached ? Math.max(0, this.#check(this.#core.st_space(this.#tx))) : 0;
  }

  /** The reader sleeps: wake it, in this thread or through its slot's doorbell. */
  #wakeReader(): void {
    this.#net.notify(this.#txWriteCell);
    this.#net.wakeSlot(this.#peerSlot);
  }

  /** The writer waits for room: wake it, in this thread or through its slot's doorbell. */
  #wakeWriter(): void {
    this.#net.notify(this.#rxReadCell);
    this.#net.wakeSlot(this.#peerSlot);
  }

  /** Asks the peer's dispatcher to publish what its endpoint has read (we wait for room, and
   * its reader may not be reading now). Not a wake-up of its calls. */
  #ringPeer(): void {
    this.#net.ringSlot(this.#peerSlot);
  }

  /** Sleeps until the peer publishes bytes or `wake()` is called, unless `alive()` turns false
   * or bytes arrived meanwhile. */
  async sleepForData(alive: () => boolean): Promise<void> {
    const core = this.#core;
    core.rb_set_waiting(this.#rx, 1);
    const cell = this.#rxWriteCell;
    const seen = Atomics.load(this.#i32, cell >> 2);
    if (core.st_peek(this.#rx, 0) === 0 && alive()) await this.#net.sleep(cell, seen);
    if (this.#attached) core.rb_set_waiting(this.#rx, 0);
  }

  /** Waits for send space: says so to the reader (which then publishes what it reads at once),
   * spins up to `spins` turns, then rings the peer's node (in case the reader is not reading
   * now) and sleeps until the reader publishes or `wake()`, unless `alive()` turns false. */
  async waitForSpace(spins: number, alive: () => boolean): Promise<void> {
    if (!this.#peerAttached) return;
    const core = this.#core;
    core.rb_set_waiting(this.#tx, 1);
    if (core.st_spin_space(this.#tx, spins) === 0) {
      this.#ringPeer();
      const cell = this.#txReadCell;
      const seen = Atomics.load(this.#i32, cell >> 2);
      if (core.st_space(this.#tx) === 0 && alive()) await this.#net.sleep(cell, seen);
    }
    if (this.#peerAttached) core.rb_set_waiting(this.#tx, 0);
  }

  /** For poll: announces a wait for the `data` and/or `space` direction and returns the cells
   * to sleep on with the values seen now. Withdraw with `unannounce()`. */
  announce(data: boolean, space: boolean): [number, number][] {
    if (!this.#attached) return [];
    const cells: [number, number][] = [];
    if (data) {
      this.#core.rb_set_waiting(this.#rx, 1);
      cells.push([this.#rxWriteCell >> 2, Atomics.load(this.#i32, this.#rxWriteCell >> 2)]);
    }
    if (space && this.#peerAttached) {
      this.#core.rb_set_waiting(this.#tx, 1);
      this.#ringPeer();
      cells.push([this.#txReadCell >> 2, Atomics.load(this.#i32, this.#txReadCell >> 2)]);
    }
    return cells;
  }

  /** Withdraws what announce() announced. */
  unannounce(): void {
    if (!this.#attached) return;
    this.#core.rb_set_waiting(this.#rx, 0);
    if (this.#peerAttached) this.#core.rb_set_waiting(this.#tx, 0);
  }

  /** Wakes every call of this thread sleeping on this queue pair (a state change). */
  wake(): void {
    this.#net.notify(this.#rxWriteCell);
    this.#net.notify(this.#txReadCell);
  }
}
