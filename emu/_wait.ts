// Sleeping without burning a core, the parts every bus shares (emu/bus/): holding the process
// open while a user call sleeps, and the wakers of this thread's sleepers.
//
// A blocking SCIF call first spins briefly (the caller does that, in the core), then sleeps on
// a cell of the shared memory until the cell changes or someone notifies it. Sleeping costs
// tens to hundreds of microseconds to wake from, spinning costs a core, so the spin is short
// and bounded and an idle network sleeps.
//
// Atomics.waitAsync does not keep a Deno, Node.js or Bun process alive, so while any call of
// this thread is asleep a timer does: one per thread, made once and referenced only while
// someone sleeps (Deno.refTimer/unrefTimer, or the ref()/unref() of the timer object Node.js and
// Bun give, are cheap; making and clearing a timer per sleep is not). The dispatchers sleep
// without it, so an idle node of a network of threads never holds a process open. A browser
// has nothing to hold.

import { denoGlobal } from "../_deno.ts";

let sleepers = 0;
let keeper: unknown;
const denoTimers = denoGlobal();

/** A timer object's ref()/unref() (Node.js, Bun), as a Deno timer id has none. */
type RefTimer = { ref(): void; unref(): void };

function isRefTimer(t: unknown): t is RefTimer {
  return typeof t === "object" && t !== null && typeof (t as RefTimer).ref === "function" &&
    typeof (t as RefTimer).unref === "function";
}

/** Holds the process open until the matching unhold(). */
export function hold(): void {
  if (sleepers++ !== 0) return;
  if (denoTimers?.refTimer) {
    keeper ??= setInterval(() => {}, 1 << 30);
    denoTimers.refTimer(keeper as number);
  } else if (keeper === undefined) {
    const t: unknown = setInterval(() => {}, 1 << 30);
    if (isRefTimer(t)) keeper = t; // Node.js, Bun: made referenced
    else {
      clearInterval(t as number); // a browser: nothing to hold, never again
      keeper = null;
    }
  } else if (isRefTimer(keeper)) keeper.ref();
}

/** Ends one hold(). */
export function unhold(): void {
  if (--sleepers !== 0 || keeper === undefined || keeper === null) return;
  if (denoTimers?.unrefTimer) denoTimers.unrefTimer(keeper as number);
  else if (isRefTimer(keeper)) keeper.unref();
}

/** Awaits `p` while holding the process open (for promises only a wake-up settles). */
export async function keepAlive<T>(p: Promise<T>): Promise<T> {
  hold();
  try {
    return await p;
  } finally {
    unhold();
  }
}

/**
 * Wakers of this thread's sleepers on one memory, by cell index. A notification from this same
 * thread resolves them at once (a microtask) instead of through the runtime's wait queue, whose
 * answer comes as a task of a later turn of the event loop: a producer and a consumer in one
 * thread (a loopback connection, a bridge and its node) then hand over without a turn each.
 */
export class LocalWakers {
  readonly #byCell = new Map<number, (() => void)[]>();

  /** Wakes every sleeper of this thread (they look again at what they wait for). */
  wakeAll(): void {
    if (this.#byCell.size === 0) return;
    const all = [...this.#byCell.values()];
    this.#byCell.clear();
    for (const wakers of all) for (const wake of wakers) wake();
  }

  /** Wakes this thread's sleepers on cell `index`. */
  wake(index: number): void {
    const wakers = this.#byCell.get(index);
    if (!wakers) return;
    this.#byCell.delete(index);
    for (const wake of wakers) wake();
  }

  /** Sleeps until this thread's wake(index) or wakeAll(), a change of the cell seen at the
   * start, or `timeoutMs` (no runtime waiter is made: a waitAsync costs native memory per
   * call, see emu/bus/_bus.ts). False on timeout. */
  async sleep(
    i32: Int32Array,
    index: number,
    expected: number,
    timeoutMs: number,
    keepProcess: boolean,
  ): Promise<boolean> {
    if (Atomics.load(i32, index) !== expected) return true;
    if (timeoutMs <= 0) return false;
    const [woken, withdraw] = this.add(index);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = timeoutMs === Infinity
      ? null
      : new Promise<"timed-out">((r) => (timer = setTimeout(() => r("timed-out"), timeoutMs)));
    if (keepProcess) hold();
    try {
      return (await (late ? Promise.race([woken, late]) : woken)) !== "timed-out";
    } finally {
      if (keepProcess) unhold();
      clearTimeout(timer);
      withdraw();
    }
  }

  /** sleep() on several cells at once. */
  async sleepAny(i32: Int32Array, cells: [number, number][], timeoutMs: number): Promise<boolean> {
    for (const [index, expected] of cells) if (Atomics.load(i32, index) !== expected) return true;
    if (timeoutMs <= 0) return false;
    const entries = cells.map(([index]) => this.add(index));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = timeoutMs === Infinity
      ? []
      : [new Promise<"timed-out">((r) => (timer = setTimeout(() => r("timed-out"), timeoutMs)))];
    hold();
    try {
      return (await Promise.race([...entries.map(([w]) => w), ...late])) !== "timed-out";
    } finally {
      unhold();
      clearTimeout(timer);
      for (const [, withdraw] of entries) withdraw();
    }
  }

  /** A promise that wake(index) resolves, and the function that withdraws it. */
  add(index: number): [Promise<"ok">, () => void] {
    let wake!: () => void;
    const woken = new Promise<"ok">((r) => (wake = () => r("ok")));
    const wakers = this.#byCell.get(index);
    if (wakers) wakers.push(wake);
    else this.#byCell.set(index, [wake]);
    const withdraw = () => {
      const list = this.#byCell.get(index);
      const at = list?.indexOf(wake) ?? -1;
      if (at >= 0) {
        list!.splice(at, 1);
        if (list!.length === 0) this.#byCell.delete(index);
      }
    };
    return [woken, withdraw];
  }
}
