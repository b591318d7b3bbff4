// Liveness of emulated nodes. A card that stops answering is lost; a Worker that is
// terminated says nothing to anyone, so every attached node beats (bumps its heartbeat
// cell) on a timer, and every node watches the others' beats: a node whose beat has not
// moved for the network's loss timeout is declared lost (state ONLINE -> LOST, by whichever
// watcher sees it first) and every node cleans up after it (EmuNode.syncPeers).
//
// One timer per thread serves all nodes the thread attached. It is unreferenced where the
// runtime allows, so an idle node does not hold a process open, and it costs a few
// microseconds every TICK_MS: an idle network is asleep apart from that.

/** The beat period; the loss timeout must be several of these. */
export const TICK_MS = 100;

interface Watched {
  tick(now: number): void;
}

const watched = new Set<Watched>();
let timer: ReturnType<typeof setInterval> | undefined;

/** Starts beating and watching for `node`. */
export function watch(node: Watched): void {
  watched.add(node);
  if (timer !== undefined) return;
  timer = setInterval(() => {
    const now = performance.now();
    for (const n of watched) n.tick(now);
  }, TICK_MS);
  // deno-lint-ignore no-explicit-any
  const deno = (globalThis as any).Deno;
  if (typeof deno?.unrefTimer === "function") deno.unrefTimer(timer);
}

/** Stops beating for `node`. */
export function unwatch(node: Watched): void {
  watched.delete(node);
  if (watched.size === 0 && timer !== undefined) {
    clearInterval(timer);
    timer = undefined;
  }
}

/** One beat: the cell at byte address `addr` moves. */
export function beat(i32: Int32Array, addr: number): void {
  Atomics.add(i32, addr >> 2, 1);
}
