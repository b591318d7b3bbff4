// Hot-plug: taking a node down and bringing it up again while programs run, as the kernel's
// peer bus removes a card that is reset and adds it when it boots again (SCIF_NODE_REMOVE,
// SCIF_NODE_ADD). Any thread or process that has the network's memory may do it: the node
// table is the only state.
//
// Down: the node's state becomes NODE_DOWN and every slot is rung. From then on connects to it
// are ENODEV and getNodeIds leaves it out (both read the state); watchers hear the removal at
// their dispatcher's next turn. Each slot of the node sees the state at its own turn and takes
// itself down (EmuNode: its endpoints reset without touching memory, its incarnation ends), so
// nobody writes into shared memory on behalf of an incarnation that is over. Its peers then
// drop it as they drop a lost node's slot: their connections drain what it sent, then
// ECONNRESET; pending connects and accepts of its requests ENODEV; RMA and fences as after a
// loss. A slot that does not take itself down within SELF_END_MS (its thread is stuck) is
// ended by the one that takes the node down, as a card that stops answering.
//
// Up: a machine's node (MODE_LOCAL) is online again with a new incarnation (N_EPOCH + 1),
// bumped before the state is, so whoever sees it online sees the new incarnation; a slot of the
// old one (an attach that raced with the down) ends itself when it sees the epoch. A node of a
// network of threads (MODE_THREAD) is attachable again (OFFLINE): it is online once a thread
// attaches it, as always there. Either way the old endpoints stay reset: they belong to slots
// whose incarnation ended, and a slot incarnation is never adopted twice (emu/_peers.ts).
//
// Node 0, the host, is not taken down (EINVAL: SCIF resets cards); a node of another machine
// (MODE_REMOTE) is taken down on its own machine (EOPNOTSUPP here).

import { ScifError } from "../errors.ts";
import { delay } from "../_delay.ts";
import {
  MODE_LOCAL,
  MODE_REMOTE,
  N_EPOCH,
  N_MODE,
  N_STATE,
  NODE_ATTACHING,
  NODE_DOWN,
  NODE_LOST,
  NODE_OFFLINE,
  NODE_ONLINE,
  nodeField,
  S_NODE,
  S_STANDIN,
  S_STATE,
  SLOT_ACTIVE,
  SLOT_ATTACHING,
} from "./_layout.ts";
import type { EmuShared } from "./_shared.ts";
import { endSlot } from "./_slots.ts";

/** How long the slots of a node taken down have to end themselves before they are ended. */
export const SELF_END_MS = 1000;
/** How long a down waits for an attach of a thread's node in progress to finish. */
const ATTACH_WAIT_MS = 2000;

/** What a node's state is, for tables (`scif nodes`, the page). */
export type NodeState = "online" | "offline" | "down" | "lost";

/** The state of node `node` of `net` (its id checked: ENODEV past the nodes). */
export function nodeState(net: EmuShared, node: number): NodeState {
  checkExists(net, node);
  switch (net.load(nodeField(net.layout, node, N_STATE))) {
    case NODE_ONLINE:
      return "online";
    case NODE_DOWN:
      return "down";
    case NODE_LOST:
      return "lost";
    default:
      return "offline";
  }
}

function checkExists(net: EmuShared, node: number): void {
  if (!Number.isInteger(node) || node < 0 || node >= net.layout.nodes) {
    throw new ScifError("ENODEV", `node ${node} does not exist (the network has ${net.layout.nodes})`);
  }
}

/** ENODEV for a node id the network does not have, EINVAL for the host, EOPNOTSUPP for a
 * node of another machine. */
function checkTarget(net: EmuShared, node: number, what: "down" | "up"): number {
  checkExists(net, node);
  if (node === 0) {
    throw new ScifError(
      "EINVAL",
      `node 0 is the host: it cannot be ${
        what === "down" ? "taken down" : "brought up"
      } (only cards are reset)`,
    );
  }
  const mode = net.load(nodeField(net.layout, node, N_MODE));
  if (mode === MODE_REMOTE) {
    throw new ScifError("EOPNOTSUPP", `node ${node} is on another machine: take it ${what} there`);
  }
  return mode;
}

/** Takes node `node` down; resolves once every slot of it has ended. A node that is down
 * already is left so (after ending any slot of it still there). */
export async function takeNodeDown(net: EmuShared, node: number): Promise<void> {
  checkTarget(net, node, "down");
  const cell = nodeField(net.layout, node, N_STATE);
  const until = performance.now() + ATTACH_WAIT_MS;
  for (;;) {
    const st = net.load(cell);
    if (st === NODE_DOWN) break;
    // An attach of a thread's node in progress is let finish: then it is an ONLINE node.
    if (st !== NODE_ATTACHING && net.cas(cell, st, NODE_DOWN) === st) break;
    if (performance.now() > until) {
      throw new ScifError("EBUSY", `node ${node} is being attached and does not finish`);
    }
    await delay(1);
  }
  net.ringAll(); // SCIF_NODE_REMOVE: its slots take themselves down, everyone looks
  await endSlotsOf(net, node);
}

/** Brings node `node` up again: a new incarnation. A node that is not down is left so. */
export async function bringNodeUp(net: EmuShared, node: number): Promise<void> {
  const mode = checkTarget(net, node, "up");
  const l = net.layout;
  const cell = nodeField(l, node, N_STATE);
  if (net.load(cell) !== NODE_DOWN) return;
  await endSlotsOf(net, node); // a down whose taker ended before it was done
  if (mode === MODE_LOCAL) {
    // The new incarnation first: a slot that sees the node online sees it (emu/_attach.ts).
    const epoch = nodeField(l, node, N_EPOCH);
    net.store(epoch, net.load(epoch) + 1);
    if (net.cas(cell, NODE_DOWN, NODE_ONLINE) !== NODE_DOWN) return;
  } else if (net.cas(cell, NODE_DOWN, NODE_OFFLINE) !== NODE_DOWN) return;
  net.ringAll(); // SCIF_NODE_ADD (a thread's node: once a thread attaches it)
}

/** Waits up to SELF_END_MS for the slots of `node` to end themselves, then ends the rest. */
async function endSlotsOf(net: EmuShared, node: number): Promise<void> {
  const l = net.layout;
  const live = () => {
    const slots: number[] = [];
    for (let s = 0; s < l.slots; s++) {
      const st = net.slot(s, S_STATE);
      if (
        (st === SLOT_ACTIVE || st === SLOT_ATTACHING) && net.slot(s, S_NODE) === node &&
        net.slot(s, S_STANDIN) !== 1
      ) {
        slots.push(s);
      }
    }
    return slots;
  };
  const until = performance.now() + SELF_END_MS;
  while (live().length > 0 && performance.now() < until) await delay(2);
  // What is left is stuck (or still attaching: its attach sees the node down and ends it). Only
  // an ACTIVE slot is ended from here: ending an ATTACHING one would race with its claim.
  let ended = false;
  for (const s of live()) {
    if (net.slot(s, S_STATE) === SLOT_ACTIVE) ended = endSlot(net, s, net.slotEpoch(s)) || ended;
  }
  if (ended) net.ringAll();
}

/** Whether slot `slot` (incarnation `epoch`) of node `node`'s incarnation `nodeEpoch` is to go
 * down: the node was taken down, brought up again as a new incarnation, or the slot was ended
 * by someone else (a down that ended the slots that did not end themselves). A few loads a
 * dispatcher turn, nothing on any call's path. */
export function slotTakenDown(
  net: EmuShared,
  node: number,
  nodeEpoch: number,
  slot: number,
  epoch: number,
): boolean {
  const l = net.layout;
  return net.load(nodeField(l, node, N_STATE)) === NODE_DOWN ||
    net.load(nodeField(l, node, N_EPOCH)) !== nodeEpoch ||
    net.slot(slot, S_STATE) !== SLOT_ACTIVE || net.slotEpoch(slot) !== epoch;
}

/** What going down needs of a slot of a node taken down (emu/_node.ts). */
export interface DownSlot {
  readonly net: EmuShared;
  readonly slot: number;
  readonly epoch: number;
  /** Resets every endpoint without touching memory (EmuEndpoint.nodeDown) and stops the slot:
   * every call of the node is ENODEV from now on. */
  stop(): void;
  /** Closes the slot's DMA engine, releases its attachment and reclaims it if it can be. */
  letGo(): Promise<void>;
  /** Wakes every call of the slot's thread. */
  kick(): void;
  /** Called once the node has closed. */
  readonly onClose: (() => Promise<void> | void)[];
}

/** The node of `s` was taken down: as a card that is reset, everything of the slot is lost at
 * once (its endpoints reset), its incarnation ends (its peers reset their connections with it,
 * after draining what it sent), and every call of the node is ENODEV from now on. The program
 * attaches the node again once it is up. */
export async function goDown(s: DownSlot): Promise<void> {
  s.stop();
  endSlot(s.net, s.slot, s.epoch);
  await s.letGo();
  s.kick();
  for (const hook of s.onClose.splice(0)) await hook();
}
