// A runtime waiter on a cell of shared memory: Atomics.waitAsync where the runtime has it (Deno,
// Chromium), and where it does not (Firefox ESR 140 has neither Atomics.waitAsync nor a flag
// for it on by default) a waiter Worker that blocks in Atomics.wait and posts when it returns.
// A thread's event loop can only be woken from another thread by one of the two; without
// either a dispatcher would never hear a ring of another thread (the network would hang).
//
// The waiter Workers of a thread are pooled: each serves one wait at a time, started when a
// dispatcher sleeps and it is free. A wait lasts WAIT_SLICE_MS at most in the Worker and is
// renewed while the cell still holds the value waited for, so that a waiter whose sleeper went
// away (its slot closed without a ring) comes back to the pool within a slice rather than
// blocking its Worker for good. A renewal costs the Worker one wake-up per slice and the
// waiting thread one message, nothing else.
//
// Invariants:
// - No lost wake-up, for wakers that change the cell before they notify (a ring clears the
//   dispatcher's sleeping cell first): the Worker's Atomics.wait compares the cell with the
//   value first, so a ring that comes before the Worker waits, or between two slices, makes the
//   wait return at once ("not-equal"), and the answer is posted as for a notify.
// - The promise resolves once, after a notify of the cell, a value other than `value` seen by
//   the Worker, or a slice's end with the cell changed: never while the cell still holds
//   `value` and nobody notified it (beyond what a spurious futex return gives; callers look
//   again at what they wait for, as after any wake-up).

import { ScifError } from "../../errors.ts";

/** How long one wait of a waiter Worker lasts before it looks whether it is still wanted. */
const WAIT_SLICE_MS = 1000;

/** Whether the runtime has Atomics.waitAsync (else waitAsync uses waiter Workers). */
export const HAVE_WAIT_ASYNC = typeof (Atomics as { waitAsync?: unknown }).waitAsync === "function";

/**
 * Waits for a notify of `i32[index]` while it holds `value`, without blocking this thread.
 * Null when the cell does not hold `value` now (nothing to wait for); else a promise that
 * resolves when the wait ends (see the invariants above).
 */
export function waitAsync(i32: Int32Array, index: number, value: number): Promise<unknown> | null {
  if (HAVE_WAIT_ASYNC && !forceWorkers) {
    const w = Atomics.waitAsync(i32, index, value);
    return w.async ? w.value : null;
  }
  if (Atomics.load(i32, index) !== value) return null;
  return workerWait(i32, index, value);
}

let forceWorkers = false;

/** Makes waitAsync use waiter Workers even where Atomics.waitAsync exists (for tests of them in
 * Deno); returns the function that undoes it. */
export function useWaiterWorkers(): () => void {
  forceWorkers = true;
  return () => {
    forceWorkers = false;
  };
}

/** One waiter Worker of this thread. */
interface Waiter {
  readonly worker: Worker;
  answer: ((r: string) => void) | null;
}

const idle: Waiter[] = [];
const all = new Set<Waiter>();

/** How many waiter Workers this thread has, and how many of them wait now. */
export function waiterWorkers(): { workers: number; waiting: number } {
  return { workers: all.size, waiting: all.size - idle.length };
}

/** Ends this thread's idle waiter Workers (a test's end; a waiting one ends when its wait does). */
export function endIdleWaiters(): void {
  for (const w of idle.splice(0)) {
    all.delete(w);
    w.worker.terminate();
  }
}

function startWaiter(): Waiter {
  if (typeof Worker !== "function") {
    throw new ScifError(
      "ENOSYS",
      "this runtime has neither Atomics.waitAsync nor Workers: another thread could not wake this one",
    );
  }
  const src = `(${waiterMain.toString()})()`;
  const url = URL.createObjectURL(new Blob([src], { type: "text/javascript" }));
  const worker = new Worker(url, { type: "module", name: "scif waiter" });
  URL.revokeObjectURL(url);
  const waiter: Waiter = { worker, answer: null };
  worker.onmessage = (e: MessageEvent<string>) => {
    const answer = waiter.answer;
    waiter.answer = null;
    answer?.(e.data);
  };
  worker.onerror = (e) => {
    // A waiter that cannot run leaves its sleeper to its own timeout; said, not hidden.
    e.preventDefault();
    console.error(`scif: a waiter Worker failed: ${e.message}`);
  };
  all.add(waiter);
  return waiter;
}

async function workerWait(i32: Int32Array, index: number, value: number): Promise<string> {
  const waiter = idle.pop() ?? startWaiter();
  try {
    for (;;) {
      const answered = new Promise<string>((r) => (waiter.answer = r));
      // The buffer goes with every wait (a Worker that kept one would keep an idle network's
      // memory alive).
      waiter.worker.postMessage({ buffer: i32.buffer, index, value, ms: WAIT_SLICE_MS });
      const r = await answered;
      // A slice ended with the cell unchanged: wait on (the sleeper is still there, or the
      // next slice finds out).
      if (r === "timed-out" && Atomics.load(i32, index) === value) continue;
      return r;
    }
  } finally {
    idle.push(waiter);
  }
}

/** The waiter Worker (run from its own source text): blocks on the cell it is told, answers. */
function waiterMain(): void {
  const me = self as unknown as { onmessage: (e: MessageEvent) => void; postMessage(m: unknown): void };
  me.onmessage = (e: MessageEvent) => {
    const { buffer, index, value, ms } = e.data as {
      buffer: SharedArrayBuffer;
      index: number;
      value: number;
      ms: number;
    };
    me.postMessage(Atomics.wait(new Int32Array(buffer), index, value, ms));
  };
}
