// Liveness of emulated nodes, on the Web Locks API (navigator.locks, in Deno and browsers).
//
// A node attached in a Worker holds an exclusive lock named after its network and node id for
// as long as it is attached. The runtime releases a lock when the thread holding it ends,
// however it ends (terminate(), an uncaught error, close()), so every other node keeps a
// shared request for that lock pending: when it is granted, the node's thread is gone or the
// node closed, and the watcher marks a node that is still ONLINE in that incarnation LOST.
// Detection takes milliseconds and costs nothing while nothing happens: no timer, no beat,
// and a thread that is merely busy is never taken for dead.
//
// A node attached in a runtime's main thread holds no lock: that thread ends only with the
// whole program (process or page), and a held lock would keep a Deno process from exiting.
// Such a node is never reported lost; it goes offline when it closes.

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

/** The lock name of node `nodeId` of the network `networkId`. */
export function lockName(networkId: string, nodeId: number): string {
  return `scif-emu:${networkId}:node:${nodeId}`;
}

/**
 * Holds `name` exclusively until the returned release function is called (or the thread
 * ends). Resolves to null when another thread holds it now.
 */
export async function hold(name: string): Promise<(() => void) | null> {
  const lm = locks();
  if (!lm) return null;
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
 * Calls `onEnd` once the holder of `name` releases it (its thread ended or the node closed).
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
