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

/** One thread's view of a network's bus. */
export interface Bus {
  /** "threads": every node is a thread of this program; "machine": programs of a machine. */
  readonly kind: "threads" | "machine";
  /** Wakes every sleeper on cell `index` (of the network's Int32Array), in any thread or
   * process of the network. */
  notify(index: number): void;
  /** Sleeps until cell `index` is notified or differs from `expected`, or `timeoutMs` passes
   * (Infinity: no limit). `keepProcess`: hold the process open meanwhile (user calls: yes;
   * dispatchers: no, where the bus allows it). Resolves to false on timeout. */
  sleep(index: number, expected: number, timeoutMs: number, keepProcess: boolean): Promise<boolean>;
  /** Sleeps until one of `cells` ([index, expected]) is notified or changes, or the time passes. */
  sleepAny(cells: [number, number][], timeoutMs: number): Promise<boolean>;
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
