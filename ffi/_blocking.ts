// Blocking calls of the hardware backend. A SCIF call that may wait (connect, accept with
// SCIF_ACCEPT_SYNC, a blocking send or recv, poll with a timeout, fence_wait) would stop the
// JavaScript thread, and Deno's `nonblocking: true` FFI calls run on a pool thread where the
// errno left behind cannot be read from JavaScript afterwards. So such calls run synchronously
// on a Worker of their own, which reads errno on that same thread right after the call and
// posts both back. Workers are pooled: a call takes an idle one or starts one. One Worker is
// started with the pool and kept until close() (starting one takes a while, about half a second
// when the caller is itself a Worker); extra ones end after IDLE_MS idle.
//
// Structs and poll arrays cross in SharedArrayBuffers (the Worker passes them by pointer, its
// writes are seen here); user buffers are referred to by address inside the structs, and stay
// alive because the caller holds them until the call returns.
//
// A call on a descriptor that is closed before the Worker starts it must not run: the number
// may already name another descriptor. Each call has a gate cell: the Worker moves it from
// QUEUED to STARTED just before the call, close() moves it from QUEUED to CANCELLED (and the
// call then fails with EBADF, as on a closed descriptor). Once started, a call holds the file it
// looked up, whatever happens to the number.

import { ERRNO } from "../errors.ts";
import { SYMBOLS } from "./_libc.ts";

/** One blocking call (its gate is added by BlockingPool.call). */
export type BlockingCall =
  | { op: "ioctl_buf"; fd: number; request: number; struct: SharedArrayBuffer }
  | { op: "ioctl_val"; fd: number; request: number; value: bigint }
  | { op: "poll"; fds: SharedArrayBuffer; nfds: number; timeout: number };

/** States of a call's gate cell. */
export const QUEUED = 0;
export const STARTED = 1;
export const CANCELLED = 2;

/** A call's gate: cancel() keeps it from starting if it has not. */
export class Gate {
  readonly cell = new Int32Array(new SharedArrayBuffer(4));
  /** True when the call will not run (it had not started). */
  cancel(): boolean {
    return Atomics.compareExchange(this.cell, 0, QUEUED, CANCELLED) === QUEUED;
  }

  /** Whether cancel() kept the call from running. */
  get cancelled(): boolean {
    return Atomics.load(this.cell, 0) === CANCELLED;
  }
}

/** What a blocking call returned, and the errno of the thread that made it. */
export interface BlockingResult {
  ret: number;
  errno: number;
}

const IDLE_MS = 250;

/** A pool of Workers that make blocking calls into one library. */
export class BlockingPool {
  readonly #path: string;
  readonly #idle: Worker[] = [];
  readonly #busy = new Set<Worker>();
  readonly #timers = new Map<Worker, ReturnType<typeof setTimeout>>();
  #url: string | null = null;

  readonly #keep: Worker;

  constructor(libraryPath: string) {
    this.#path = libraryPath;
    this.#keep = this.#start();
    this.#idle.push(this.#keep);
  }

  /** Makes `call` on a Worker; resolves to its result and errno. */
  async call(call: BlockingCall, gate = new Gate()): Promise<BlockingResult> {
    const w = this.#take();
    try {
      return await new Promise<BlockingResult>((resolve, reject) => {
        w.onmessage = (e: MessageEvent<BlockingResult>) => resolve(e.data);
        w.onerror = (e: ErrorEvent) => {
          e.preventDefault();
          reject(new Error(`blocking-call worker: ${e.message}`));
        };
        w.postMessage({ ...call, gate: gate.cell });
      });
    } finally {
      this.#give(w);
    }
  }

  #take(): Worker {
    const w = this.#idle.pop();
    if (w) {
      clearTimeout(this.#timers.get(w));
      this.#timers.delete(w);
    }
    const worker = w ?? this.#start();
    this.#busy.add(worker);
    return worker;
  }

  #give(w: Worker): void {
    this.#busy.delete(w);
    if (this.#closed) return w.terminate();
    this.#idle.push(w);
    if (w !== this.#keep) this.#timers.set(w, setTimeout(() => this.#end(w), IDLE_MS));
  }

  #closed = false;

  #end(w: Worker): void {
    const i = this.#idle.indexOf(w);
    if (i >= 0) this.#idle.splice(i, 1);
    this.#timers.delete(w);
    w.terminate();
  }

  #start(): Worker {
    this.#url ??= URL.createObjectURL(
      new Blob([
        `(${blockingWorkerMain.toString()})(${JSON.stringify(this.#path)}, ${
          JSON.stringify(SYMBOLS)
        }, ${ERRNO.EBADF})`,
      ], {
        type: "text/javascript",
      }),
    );
    return new Worker(this.#url, { type: "module", name: "scif blocking call" });
  }

  /** Ends the idle Workers (busy ones end when their call returns). */
  close(): void {
    this.#closed = true;
    for (const w of [...this.#idle]) {
      clearTimeout(this.#timers.get(w));
      this.#end(w);
    }
    if (this.#url) URL.revokeObjectURL(this.#url);
    this.#url = null;
  }
}

/** The Worker's body, run from its source text (so it imports nothing: `ebadf` is ERRNO.EBADF):
 * opens the library and makes calls. */
export function blockingWorkerMain(path: string, symbols: typeof SYMBOLS, ebadf: number): void {
  const lib = Deno.dlopen(path, symbols);
  const fn = lib.symbols;
  const errno = new Deno.UnsafePointerView(fn.__errno_location()!);
  const me = self as unknown as { onmessage: (e: MessageEvent) => void; postMessage(m: unknown): void };
  me.onmessage = (e: MessageEvent) => {
    const c = e.data as BlockingCall & { gate: Int32Array };
    if (Atomics.compareExchange(c.gate, 0, 0, /* QUEUED */ 1 /* STARTED */) !== 0) {
      return me.postMessage({ ret: -1, errno: ebadf }); // closed before it started
    }
    let ret: number;
    if (c.op === "ioctl_buf") ret = fn.ioctl_buf(c.fd, BigInt(c.request), new Uint8Array(c.struct));
    else if (c.op === "ioctl_val") ret = fn.ioctl_val(c.fd, BigInt(c.request), c.value);
    else ret = fn.poll(new Uint8Array(c.fds), BigInt(c.nfds), c.timeout);
    // errno belongs to this thread: read it here, before anything else can change it.
    me.postMessage({ ret, errno: ret < 0 ? errno.getInt32() : 0 });
  };
}
