// Sleeping without burning a core: Atomics.waitAsync on a cell of the shared memory.
//
// A blocking SCIF call first spins briefly (the caller does that, in the core), then sleeps
// here until the cell changes or someone notifies it. Sleeping costs tens of microseconds to
// wake from, spinning costs a core, so the spin is short and bounded and an idle network
// sleeps.
//
// Atomics.waitAsync does not keep a Deno process alive, so while any call of this thread is
// asleep a timer does: one per thread, made once and referenced only while someone sleeps
// (Deno.refTimer/unrefTimer are cheap; making and clearing a timer per sleep is not). The
// node's own dispatcher sleeps without it, so an idle node never holds a process open.

let sleepers = 0;
let keeper: number | undefined;
// deno-lint-ignore no-explicit-any
const denoTimers = (globalThis as any).Deno as
  | { refTimer?(id: number): void; unrefTimer?(id: number): void }
  | undefined;

function hold(): void {
  if (sleepers++ !== 0 || !denoTimers?.refTimer) return;
  keeper ??= setInterval(() => {}, 1 << 30) as unknown as number;
  denoTimers.refTimer(keeper);
}

function unhold(): void {
  if (--sleepers === 0 && keeper !== undefined) denoTimers!.unrefTimer!(keeper);
}

/** Awaits `p` while holding the process open (for promises only a waitAsync settles). */
export async function keepAlive<T>(p: Promise<T>): Promise<T> {
  hold();
  try {
    return await p;
  } finally {
    unhold();
  }
}

// Wakers of this thread's sleepers, by cell index. A notification from this same thread
// resolves them at once (a microtask) instead of through Atomics.waitAsync, whose answer comes
// as a task of a later turn of the event loop: a producer and a consumer in one thread (a
// loopback connection, a process's bridge and its node) then hand over without a turn each.
const local = new Map<number, (() => void)[]>();

/** Atomics.notify, and the sleepers of this thread on that cell. */
export function notify(i32: Int32Array, index: number): void {
  Atomics.notify(i32, index);
  const wakers = local.get(index);
  if (wakers) {
    local.delete(index);
    for (const wake of wakers) wake();
  }
}

/**
 * Sleeps until `i32[index]` is notified or differs from `expected`, or `timeoutMs` passes.
 * `keepProcess`: hold the process open meanwhile (user calls: yes; the dispatcher: no).
 * Returns false on timeout.
 */
export async function sleepOn(
  i32: Int32Array,
  index: number,
  expected: number,
  timeoutMs = Infinity,
  keepProcess = true,
): Promise<boolean> {
  const w = Atomics.waitAsync(i32, index, expected, timeoutMs);
  if (!w.async) return w.value !== "timed-out";
  let wake!: () => void;
  const woken = new Promise<"ok">((r) => (wake = () => r("ok")));
  const wakers = local.get(index);
  if (wakers) wakers.push(wake);
  else local.set(index, [wake]);
  if (keepProcess) hold();
  try {
    return (await Promise.race([w.value, woken])) !== "timed-out";
  } finally {
    if (keepProcess) unhold();
    const list = local.get(index);
    const at = list?.indexOf(wake) ?? -1;
    if (at >= 0) {
      list!.splice(at, 1);
      if (list!.length === 0) local.delete(index);
    }
  }
}

/** Sleeps until one of several cells is notified or changes, or the time passes.
 * Each entry is [index, expected]. Returns false on timeout. Waiters left behind on the
 * cells that did not fire are released by `release` (a notify on cells only this thread
 * waits on). */
export async function sleepOnAny(
  i32: Int32Array,
  cells: [number, number][],
  timeoutMs: number,
): Promise<boolean> {
  const waits: Promise<string>[] = [];
  for (const [index, expected] of cells) {
    const w = Atomics.waitAsync(i32, index, expected, timeoutMs);
    if (!w.async) return w.value !== "timed-out";
    waits.push(w.value);
  }
  hold();
  try {
    return (await Promise.race(waits)) !== "timed-out";
  } finally {
    unhold();
    for (const [index] of cells) Atomics.notify(i32, index);
  }
}
