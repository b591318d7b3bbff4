// Attaching a node: what the node's mode allows, the node-level claim of a thread's node or a
// stand-in, and the slot of the attachment (emu/_slots.ts).
//
// On a network of threads a node id is attached by one thread at a time: the node's state is
// claimed (OFFLINE or LOST -> ATTACHING) before its slot, and is ONLINE once the slot is. On a
// machine's network the machine's own nodes are always online and any number of programs
// attach them; a node of another machine is online while its stand-in's slot is.

import { ScifError } from "../errors.ts";
import {
  MODE_LOCAL,
  MODE_REMOTE,
  MODE_THREAD,
  N_EPOCH,
  N_MODE,
  N_SLOT,
  N_STATE,
  NODE_ATTACHING,
  NODE_DOWN,
  NODE_LOST,
  NODE_OFFLINE,
  NODE_ONLINE,
  nodeField,
} from "./_layout.ts";
import type { EmuShared } from "./_shared.ts";
import { claimSlot, endSlot, reclaimIfReleased, type SlotClaim } from "./_slots.ts";
import { inWorker } from "./bus/_web_locks.ts";

/** A slot claimed for node `nodeId`; `hasNode`: the slot has the node itself (a thread's node,
 * a stand-in) rather than being one program of a machine's node. */
export interface NodeClaim extends SlotClaim {
  readonly hasNode: boolean;
  /** The node's incarnation (N_EPOCH) the slot belongs to: a node taken down and brought up
   * again is a new one (emu/_hotplug.ts). */
  readonly nodeEpoch: number;
}

/** Claims node `nodeId` (and a slot for it) for this thread, as its mode allows. */
export async function claimNode(
  net: EmuShared,
  nodeId: number,
  standIn: boolean,
  pid: number,
): Promise<NodeClaim> {
  const l = net.layout;
  if (!Number.isInteger(nodeId) || nodeId < 0 || nodeId >= l.nodes) {
    throw new ScifError("ENODEV", `node ${nodeId} does not exist (the network has ${l.nodes})`);
  }
  const state = nodeField(l, nodeId, N_STATE);
  const mode = net.load(nodeField(l, nodeId, N_MODE));
  const hasNode = mode === MODE_THREAD || standIn;
  if (standIn && mode !== MODE_REMOTE) {
    throw new ScifError("EBUSY", `node ${nodeId} is a node of this machine, not of another one`);
  }
  if (!standIn && mode === MODE_REMOTE) {
    throw new ScifError(
      "ENODEV",
      `node ${nodeId} is on another machine: programs attach this machine's nodes`,
    );
  }
  if (mode === MODE_LOCAL && net.load(state) !== NODE_ONLINE) {
    throw new ScifError("ENODEV", `node ${nodeId} is down`);
  }
  let was = NODE_OFFLINE;
  if (hasNode) {
    was = net.cas(state, NODE_OFFLINE, NODE_ATTACHING);
    if (was === NODE_LOST) was = net.cas(state, NODE_LOST, NODE_ATTACHING);
    if (was === NODE_DOWN) throw new ScifError("ENODEV", `node ${nodeId} is down`);
    if (was !== NODE_OFFLINE && was !== NODE_LOST) {
      throw new ScifError("EBUSY", `node ${nodeId} is already attached by another thread`);
    }
  }
  const epochCell = nodeField(l, nodeId, N_EPOCH);
  const nodeEpoch = net.load(epochCell);
  let claim: SlotClaim;
  try {
    claim = await claimSlot(net, nodeId, { pid, standIn, fd: () => -1, watchable: inWorker() }, (s) => {
      if (hasNode) net.store(nodeField(l, nodeId, N_SLOT), s + 1);
    });
  } catch (e) {
    if (hasNode) net.store(state, was);
    throw e;
  }
  if (hasNode) {
    net.store(epochCell, nodeEpoch + 1);
    net.store(state, NODE_ONLINE);
    net.ringAll(); // SCIF_NODE_ADD
    return { ...claim, hasNode, nodeEpoch: nodeEpoch + 1 };
  }
  // A machine's node taken down while we claimed (emu/_hotplug.ts ends only the slots it sees):
  // this slot belongs to the incarnation that went, so it ends before anyone uses it.
  if (net.load(state) !== NODE_ONLINE || net.load(epochCell) !== nodeEpoch) {
    endSlot(net, claim.slot, claim.epoch);
    claim.release();
    reclaimIfReleased(net, claim.slot, claim.slot);
    throw new ScifError("ENODEV", `node ${nodeId} is down`);
  }
  return { ...claim, hasNode, nodeEpoch };
}

/** The node-level end of an attachment that has the node (a thread's node, a stand-in): the
 * node becomes `to` (OFFLINE when closed, LOST when a stand-in's link went away) if this slot
 * still has it and it is online (not a node taken down). */
export function leaveNode(net: EmuShared, nodeId: number, slot: number, to: number): void {
  const l = net.layout;
  if (net.load(nodeField(l, nodeId, N_SLOT)) === slot + 1) {
    net.cas(nodeField(l, nodeId, N_STATE), NODE_ONLINE, to);
  }
}
