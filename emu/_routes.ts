// Where things are, as one slot sees the network (emu/_node.ts asks): which nodes are online,
// which slot a port id leads to (the holder of the port, or the stand-in of a node of another
// machine), which incarnation of each slot this one has adopted (emu/_peers.ts), and whether a
// queue pair a peer names is one it made.

import { ScifError } from "../errors.ts";
import type { PortId } from "../types.ts";
import { denoGlobal } from "../_deno.ts";
import {
  MODE_REMOTE,
  N_MODE,
  N_SLOT,
  N_STATE,
  NODE_ONLINE,
  nodeField,
  QP_DATA,
  S_PID,
  S_STANDIN,
} from "./_layout.ts";
import type { PeerTracker } from "./_peers.ts";
import { PortTable } from "./_ports.ts";
import type { EmuShared } from "./_shared.ts";

/** This process's id (0 where there is none to tell). */
export function pid(): number {
  return denoGlobal()?.pid ?? 0;
}

/** One slot's view of where things are. */
export class SlotRoutes {
  readonly #net: EmuShared;
  readonly #slot: number;
  readonly #epoch: number;
  readonly #peers: PeerTracker;
  readonly #views = new Map<number, PortTable>();

  /** For slot `slot` in incarnation `epoch`, whose adopted peers `peers` tracks. */
  constructor(net: EmuShared, slot: number, epoch: number, peers: PeerTracker) {
    this.#net = net;
    this.#slot = slot;
    this.#epoch = epoch;
    this.#peers = peers;
  }

  /** The port table of node `node` (this slot's view of it). */
  portsOf(node: number): PortTable {
    let t = this.#views.get(node);
    if (!t) {
      t = new PortTable(this.#net.layout, this.#net.i32, node, this.#slot, (s) => this.#net.slotGone(s));
      this.#views.set(node, t);
    }
    return t;
  }

  /** Whether node `node` is online. */
  nodeOnline(node: number): boolean {
    return this.#net.load(nodeField(this.#net.layout, node, N_STATE)) === NODE_ONLINE;
  }

  /** ENODEV unless node `node` exists and is online. */
  checkReachable(node: number): void {
    if (!Number.isInteger(node) || node < 0 || node >= this.#net.layout.nodes) {
      throw new ScifError("ENODEV", `node ${node} does not exist`);
    }
    if (!this.nodeOnline(node)) throw new ScifError("ENODEV", `node ${node} is not online`);
  }

  /** The slot a connect to `dst` goes to, and its incarnation: the stand-in of a node of
   * another machine, else the holder of the port. ECONNREFUSED when nobody holds it. */
  route(dst: PortId): { slot: number; epoch: number } {
    this.checkReachable(dst.node);
    const l = this.#net.layout;
    const slot = this.#net.load(nodeField(l, dst.node, N_MODE)) === MODE_REMOTE
      ? this.#net.load(nodeField(l, dst.node, N_SLOT)) - 1
      : this.portsOf(dst.node).holderOf(dst.port);
    if (slot < 0 || slot >= l.slots) {
      throw new ScifError("ECONNREFUSED", `nothing listens on ${dst.node}:${dst.port}`);
    }
    if (this.#peers.known(slot) === -1 && slot !== this.#slot) this.#peers.sync(false);
    const epoch = slot === this.#slot ? this.#epoch : this.#peers.known(slot);
    if (epoch === -1) throw new ScifError("ECONNREFUSED", `nothing listens on ${dst.node}:${dst.port}`);
    return { slot, epoch };
  }

  /** The incarnation of slot `slot` this one has adopted (-1: none; ours: ours). */
  knownEpoch(slot: number): number {
    return slot === this.#slot ? this.#epoch : this.#peers.known(slot);
  }

  /** Whether slot `slot` stands in for a node of another machine whose bridge may run in this
   * process (spinning for it would only delay it). */
  standInHere(slot: number): boolean {
    return this.#net.slot(slot, S_STANDIN) === 1 && this.#net.slot(slot, S_PID) === pid();
  }

  /** Whether `addr` is a queue pair block that slot `owner` made (a peer said it is). */
  validQp(addr: number, owner: number): boolean {
    const run = this.#net.heap.runOf(addr);
    return run !== null && run.head === addr && run.owner === owner && !run.user &&
      run.bytes >= QP_DATA + this.#net.layout.ringBytes;
  }
}
