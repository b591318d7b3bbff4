// Sleeping without burning a core: Atomics.waitAsync on a cell of the shared memory.
//
// A blocking SCIF call first spins briefly (the caller does that, in the core), then sleeps
// here until the cell changes or someone notifies it. Sleeping costs tens of microseconds to
// wake from, spinning costs a core, so the spin is short and bounded and an idle network
// sleeps.
//
// Atomics.waitAsync does not keep a Deno process alive, so while any call of this thread is
// asleep a referenced timer does; the node's own dispatcher sleeps without it, so an idle
// node never holds a process open.

let sleepers = 0;
let keepAliveTimer: ReturnType<typeof setInterval> | undefined;

function hold(): void {
  if (sleepers++ === 0) keepAliveTimer = setInterval(() => {}, 1 << 30);
}

function unhold(): void {
  if (--sleepers === 0) {
    clearInterval(keepAliveTimer);
    keepAliveTimer = undefined;
  }
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
  if (keepProcess) hold();
  try {
    return (await w.value) !== "timed-out";
  } finally {
    if (keepProcess) unhold();
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
