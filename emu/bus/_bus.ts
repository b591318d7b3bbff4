// What differs between the places an emulated network lives — threads of one program, the
// programs of one machine — is its bus, as the kernel's SCIF hardware bus keeps the driver the
// same on host and card: where the memory comes from, how a sleeper is woken, how the end of a
// slot's holder is noticed, and whether several pieces of the memory can be seen as one. The
// protocol, the endpoint state machine, RMA and fences above it are written once.
//
// A bus object is one thread's view of one network's bus (module state is per thread).

/** One piece of the network's memory: a byte address and a length, page aligned. */
export interface Span {
  readonly addr: number;
  readonly length: number;
}

/** What a Worker needs, beside the memory and the module, to join through the same bus. */
export type BusHandle =
  | { readonly kind: "threads"; readonly fd: number }
  | { readonly kind: "machine"; readonly path: string };

/**
 * One thread's view of a network's bus.
 *
 * Wake-ups. Every sleep of a user call is local to its thread: it waits for a wake-up from this
 * thread (a cell notified, LocalWakers in ../_wait.ts) or a timeout, so no runtime waiter is
 * made per call (a waitAsync costs native memory each time). What another thread or process
 * wants to wake goes to the slot's doorbell (wakeSlot in ../_shared.ts): each slot's dispatcher
 * is the one sleeper that waits across threads (waitRing), and when it is rung for a wake-up
 * (S_WAKES) it wakes every sleeper of its thread (wakeAll), which look again at what they wait
 * for. A ring for mail alone (ringSlot) wakes no call.
 */
export interface Bus {
  /** "threads": every node is a thread of this program; "machine": programs of a machine. */
  readonly kind: "threads" | "machine";
  /** Wakes this thread's sleepers on cell `index` (of the network's Int32Array). */
  notify(index: number): void;
  /** Wakes every sleeper of this thread (they look again). */
  wakeAll(): void;
  /** Sleeps until this thread notifies cell `index`, wakeAll(), a change of the cell from
   * `expected` seen at the start, or `timeoutMs` (Infinity: no limit). `keepProcess`: hold the
   * process open meanwhile. Resolves to false on timeout. */
  sleep(index: number, expected: number, timeoutMs: number, keepProcess: boolean): Promise<boolean>;
  /** sleep() on several cells ([index, expected]) at once. */
  sleepAny(cells: [number, number][], timeoutMs: number): Promise<boolean>;
  /** A dispatcher's sleep while its sleeping cell `index` is 1, until a ringer clears it and
   * ring()s, or `timeoutMs`. The runtime waiter it makes is kept for the next sleep until a
   * ring of another thread uses it up. Holds the process open only where the bus must. */
  waitRing(index: number, timeoutMs: number): Promise<boolean>;
  /** Wakes the dispatcher of slot `slot` sleeping on cell `index` (which the caller cleared), in
   * whatever thread or process. */
  ring(index: number, slot: number): void;
  /** Whether this thread holds slot `slot`. */
  holds(slot: number): boolean;
  /** Takes the liveness claim of slot `slot` for this thread: its release function, or null
   * when a live holder still has it. */
  holdSlot(slot: number): Promise<(() => void) | null>;
  /** A synchronous look: false once the holder of slot `slot` is known to be gone (its
   * process ended). Threads of this process are watched with watchSlot instead. */
  holderAlive(slot: number): boolean;
  /** Calls `onEnd` when the thread holding slot `slot` ends, if this bus can see it happen
   * (a thread of this process that holds a Web Lock). Returns the function that stops watching. */
  watchSlot(slot: number, onEnd: () => void): () => void;
  /** Whether slots of other processes must be looked at from time to time (holderAlive). */
  readonly pollsLiveness: boolean;
  /** A view of `spans` back to back, `length` bytes long, or null when this bus cannot make
   * one of memory that is not contiguous (no FFI). Stores through it are the memory's. */
  mapSpans(spans: readonly Span[], length: number): Uint8Array | null;
  /** Ends a view mapSpans made (its buffer is detached first); false when it was not one. */
  unmapView(view: Uint8Array): boolean;
  /** What a handle carries for a Worker to join through this bus; null: nothing. */
  readonly handle: BusHandle | null;
}
