// scif_poll over emulated endpoints (the kernel's scif_poll and __scif_pollfd): look at every
// endpoint's events; if none holds, announce the wait on every cell an event could come by
// (the rings' cells, and each slot's event cell), look again, and sleep on them all.

import { POLLERR, POLLHUP, POLLNVAL } from "../constants.ts";
import type { EndpointBackend } from "../_backend.ts";
import { EmuEndpoint } from "./_endpoint.ts";
import type { EmuShared } from "./_shared.ts";
import { abortError, onAbort } from "../_abort.ts";

/** The revents of each entry, once one holds or `timeoutMs` passes (-1: no limit); EINTR when
 * `signal` aborts first (the abort wakes the sleep: every sleeper of this thread looks again). */
export async function pollEndpoints(
  net: EmuShared,
  entries: { endpoint: EndpointBackend; events: number }[],
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<number[]> {
  const stop = onAbort(signal, () => net.bus.wakeAll());
  try {
    return await pollLoop(net, entries, timeoutMs, signal);
  } finally {
    stop();
  }
}

async function pollLoop(
  net: EmuShared,
  entries: { endpoint: EndpointBackend; events: number }[],
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<number[]> {
  const deadline = timeoutMs < 0 ? Infinity : performance.now() + timeoutMs;
  const eps = entries.map((e) => e.endpoint instanceof EmuEndpoint ? e.endpoint : null);
  const look = () =>
    entries.map((e, i) => {
      const ep = eps[i];
      if (!ep || ep.closed) return POLLNVAL;
      return ep.pollEvents() & (e.events | POLLERR | POLLHUP);
    });
  for (;;) {
    let revents = look();
    if (revents.some((r) => r !== 0) || timeoutMs === 0) return revents;
    if (signal?.aborted) throw abortError(signal, "poll");
    // Announce the wait on every cell, then look again before sleeping (no lost wake-up).
    const cells: [number, number][] = [];
    const slots = new Set<number>();
    eps.forEach((ep, i) => {
      if (!ep) return;
      slots.add(ep.node.eventCell);
      cells.push(...ep.pollCells(entries[i].events));
    });
    for (const cell of slots) cells.push([cell >> 2, net.load(cell)]);
    revents = look();
    const left = deadline - performance.now();
    if (revents.some((r) => r !== 0) || left <= 0) {
      eps.forEach((ep) => ep?.pollDone());
      return revents;
    }
    await net.bus.sleepAny(cells, left === Infinity ? Infinity : Math.ceil(left));
    eps.forEach((ep) => ep?.pollDone());
  }
}
