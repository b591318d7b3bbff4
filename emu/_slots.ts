// The slot table of an emulated network: claiming a slot for an attachment, and giving back
// what an ended incarnation left (the kernel's scif_cleanup_scifdev, for a program).
//
// Lifecycle of a slot: FREE -> ATTACHING (claimed by compare-and-swap, then its liveness claim
// taken on the bus) -> ACTIVE -> DEAD (closed, or its holder's thread or process ended) ->
// RECLAIMING -> FREE. Each claim is a new incarnation (S_EPOCH).
//
// Release before reuse. Slot j "adopts" slot k's incarnation when it sees k ACTIVE, and only
// then touches what it shares with k: the slot queue pairs between them and k's endpoint
// queue pairs and windows. When k's incarnation ends, j drops everything that referred to it
// (connections reset, pending connects fail), lets its DMA engine finish what was queued,
// waits for its own mappings of k's windows to be unmapped, and then records that in
// release[j][k]. Once every live slot has released k, nobody can still be writing into k's
// memory: the slot is reclaimed (its heap runs and ports freed) and becomes FREE. Its next
// claim resets the rings it shares with every slot.
//
// Nothing a dead holder had stays held: a DEAD or ATTACHING slot whose holder is gone is
// reclaimed by whoever finds it; a RECLAIMING slot whose reclaimer is gone is taken over (the
// reclaim is idempotent).

import { ScifError } from "../errors.ts";
import {
  releaseCell,
  S_DMA_COMPLETED,
  S_DMA_SUBMITTED,
  S_DMA_WAITERS,
  S_DROPPED,
  S_EPOCH,
  S_FD,
  S_HOLDER,
  S_NODE,
  S_PID,
  S_SLEEPING,
  S_STANDIN,
  S_STATE,
  S_WAKES,
  S_WATCHABLE,
  SLOT_ACTIVE,
  SLOT_ATTACHING,
  SLOT_DEAD,
  SLOT_FREE,
  SLOT_RECLAIMING,
  slotField,
} from "./_layout.ts";
import { resetSlotQp } from "./_slot_qp.ts";
import { reclaimPorts } from "./_ports.ts";
import type { EmuShared } from "./_shared.ts";
import { delay } from "../_delay.ts";

/** How long a claim waits for a slot to be let go of when none is free. */
const CLAIM_WAIT_MS = 5000;

/** What a claimed slot is for. */
export interface SlotClaim {
  readonly slot: number;
  readonly epoch: number;
  /** Gives the liveness claim back (the slot is then DEAD, see endSlot). */
  readonly release: () => void;
}

/** Claims a free slot for node `node` and makes it ACTIVE. `setup` runs once the slot is
 * claimed and before it is ACTIVE (it may throw: the slot is then given back). */
export async function claimSlot(
  net: EmuShared,
  node: number,
  options: { pid: number; standIn: boolean; fd: () => number; watchable: boolean },
  setup: (slot: number) => void = () => {},
): Promise<SlotClaim> {
  const l = net.layout;
  // Every slot may be taken, or ended and not yet let go of by everyone: wait for that a while.
  const until = performance.now() + CLAIM_WAIT_MS;
  for (let round = 0; round === 0 || performance.now() < until; round++) {
    if (round > 0) {
      net.ringAll();
      await delay(round < 10 ? 1 : 10);
    }
    for (let s = 0; s < l.slots; s++) {
      const state = slotField(l, s, S_STATE);
      const st = net.load(state);
      if (st !== SLOT_FREE) {
        if (net.slotGone(s)) reclaimIfReleased(net, s, -1);
        if (net.load(state) !== SLOT_FREE) continue;
      }
      if (net.cas(state, SLOT_FREE, SLOT_ATTACHING) !== SLOT_FREE) continue;
      let release: (() => void) | null = null;
      try {
        release = await net.bus.holdSlot(s);
      } catch (e) {
        net.store(state, SLOT_FREE);
        throw e;
      }
      if (!release) {
        net.store(state, SLOT_FREE); // a live holder of another program still has it
        continue;
      }
      try {
        const epoch = open(net, s, node, options);
        setup(s);
        net.store(state, SLOT_ACTIVE);
        net.ringAll(); // everyone adopts the new incarnation
        return { slot: s, epoch, release };
      } catch (e) {
        release();
        net.store(state, SLOT_FREE);
        throw e;
      }
    }
  }
  throw new ScifError("EBUSY", `all ${l.slots} attachment slots of the network are in use`);
}

/** Initializes claimed slot `s`: nobody references its previous incarnation any more (it was
 * reclaimed), so its rings may be reset. Returns the new incarnation. */
function open(
  net: EmuShared,
  s: number,
  node: number,
  o: { pid: number; standIn: boolean; fd: () => number; watchable: boolean },
): number {
  const l = net.layout;
  const f = (field: number) => slotField(l, s, field);
  for (let j = 0; j < l.slots; j++) {
    resetSlotQp(net, s, j);
    if (j !== s) resetSlotQp(net, j, s);
    const ej = net.slotEpoch(j);
    const st = net.slot(j, S_STATE);
    const live = j !== s && (st === SLOT_ACTIVE || st === SLOT_ATTACHING);
    net.store(releaseCell(l, s, j), live ? ej - 1 : ej);
  }
  const epoch = net.load(f(S_EPOCH)) + 1;
  net.store(f(S_NODE), node);
  net.store(f(S_PID), o.pid);
  net.store(f(S_FD), o.fd());
  net.store(f(S_WATCHABLE), o.watchable ? 1 : 0);
  net.store(f(S_STANDIN), o.standIn ? 1 : 0);
  net.store(f(S_HOLDER), 0);
  net.store(f(S_DROPPED), 0);
  net.store(f(S_SLEEPING), 0);
  net.store(f(S_DMA_WAITERS), 0);
  net.store(f(S_WAKES), 0);
  net.store(f(S_DMA_COMPLETED), net.load(f(S_DMA_SUBMITTED)));
  net.store(f(S_EPOCH), epoch);
  return epoch;
}

/** Slot `s`'s incarnation `epoch` ended (closed, or its holder is gone): DEAD, and everyone
 * is told to let go of it. False when it had ended already. */
export function endSlot(net: EmuShared, s: number, epoch: number): boolean {
  const state = slotField(net.layout, s, S_STATE);
  if (net.slotEpoch(s) !== epoch) return false;
  let st = net.load(state);
  while (st === SLOT_ACTIVE || st === SLOT_ATTACHING) {
    const was = net.cas(state, st, SLOT_DEAD);
    if (was === st) {
      net.ringAll();
      return true;
    }
    st = was;
  }
  return false;
}

/** Records that slot `j` holds no reference to slot `k`'s incarnation `epoch` any more, and
 * reclaims `k` if that was the last one. */
export function releaseSlot(net: EmuShared, j: number, k: number, epoch: number): void {
  const cell = releaseCell(net.layout, j, k);
  if (net.load(cell) < epoch) net.store(cell, epoch);
  reclaimIfReleased(net, k, j);
}

/**
 * Reclaims slot `k` if its incarnation has ended and every live slot has released it: frees
 * what it allocated and the ports it held, then FREE. `by` is the reclaiming slot (-1: a
 * thread that has none yet). Safe to call from anyone, any number of times.
 */
export function reclaimIfReleased(net: EmuShared, k: number, by: number): void {
  const l = net.layout;
  const state = slotField(l, k, S_STATE);
  let st = net.load(state);
  if ((st === SLOT_ACTIVE || st === SLOT_ATTACHING) && net.slotGone(k)) {
    if (!endSlot(net, k, net.slotEpoch(k))) return;
    st = SLOT_DEAD;
  }
  if (st === SLOT_RECLAIMING) {
    // Taken over only from a reclaimer that is gone.
    const holder = net.slot(k, S_HOLDER) - 1;
    if (holder >= 0 && !net.slotGone(holder)) return;
    if (net.cas(state, SLOT_RECLAIMING, SLOT_DEAD) !== SLOT_RECLAIMING) return;
    st = SLOT_DEAD;
  }
  if (st !== SLOT_DEAD) return;
  const epoch = net.slotEpoch(k);
  for (let j = 0; j < l.slots; j++) {
    if (j === k) continue;
    const sj = net.slot(j, S_STATE);
    if ((sj === SLOT_ACTIVE || sj === SLOT_ATTACHING) && !net.slotGone(j)) {
      if (net.load(releaseCell(l, j, k)) < epoch) return; // j may still reference k
    }
  }
  net.store(slotField(l, k, S_HOLDER), by + 1);
  if (net.cas(state, SLOT_DEAD, SLOT_RECLAIMING) !== SLOT_DEAD) return;
  net.heap.reclaim(k, by >= 0 ? by : k);
  reclaimPorts(l, net.i32, net.slot(k, S_NODE), k);
  net.store(state, SLOT_FREE);
}
