// Liveness of the threads of one program, on the Web Locks API (navigator.locks, in Deno and
// browsers): how a slot attached in a Worker is seen to end.
//
// A slot attached in a Worker holds an exclusive lock named after its network and slot for as
// long as it is attached. The runtime releases a lock when the thread holding it ends, however
// it ends (terminate(), an uncaught error, close()), so every other slot of the program keeps a
// shared request for that lock pending: when it is granted, the slot's thread is gone or the
// slot closed. Detection takes milliseconds and costs nothing while nothing happens: no timer,
// no beat, and a thread that is merely busy is never taken for dead. Locks are per program:
// the slots of other processes are watched otherwise (bus/machine.ts).
//
// A slot attached in a runtime's main thread holds no lock: that thread ends only with the
// whole program (process or page), and a held lock would keep a Deno process from exiting.

/** Whether this thread is a Worker (whose end must be detectable) rather than a main thread. */
export function inWorker(): boolean {
  return typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== "undefined";
}

interface LockManagerLike {
  request<T>(
    name: string,
    options: { mode?: "shared" | "exclusive"; ifAvailable?: boolean; signal?: AbortSignal },
    cb: (lock: unknown) => Promise<T> | T,
  ): Promise<T>;
}

function locks(): LockManagerLike | null {
  const nav = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator;
  return nav?.locks ?? null;
}

/** Whether this runtime has Web Locks (without them the end of a Worker goes unseen). */
export function haveLocks(): boolean {
  return locks() !== null;
}

/** The lock name of slot `slot` of the network `networkId`. */
export function lockName(networkId: string, slot: number): string {
  return `scif-emu:${networkId}:slot:${slot}`;
}

/**
 * Holds `name` exclusively until the returned release function is called (or the thread
 * ends). Resolves to null when another thread holds it now.
 */
export async function hold(name: string): Promise<(() => void) | null> {
  const lm = locks();
  if (!lm) return () => {};
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let granted!: (ok: boolean) => void;
  const answer = new Promise<boolean>((r) => (granted = r));
  lm.request(name, { ifAvailable: true }, (lock) => {
    granted(lock !== null);
    return lock === null ? undefined : held;
  }).catch(() => granted(false));
  return (await answer) ? release : null;
}

/**
 * Calls `onEnd` once the holder of `name` releases it (its thread ended or the slot closed).
 * Returns a function that stops watching.
 */
export function watch(name: string, onEnd: () => void): () => void {
  const lm = locks();
  if (!lm) return () => {};
  const stop = new AbortController();
  lm.request(name, { mode: "shared", signal: stop.signal }, () => {
    if (!stop.signal.aborted) onEnd();
  }).catch(() => {});
  return () => stop.abort();
}
