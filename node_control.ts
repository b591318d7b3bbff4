/**
 * Hot-plug of an emulated SCIF network: taking a node down and bringing it up again while
 * programs run, as a card that is reset and boots again. {@linkcode Network} has these calls for
 * a network of threads; {@linkcode machineNetwork} gives them for the machine's network, to any
 * program of the machine (`scif node down 2` is one).
 *
 * What a node taken down does to the others is what the kernel does when a card goes away:
 * their connections with it drain what it sent, then fail with `ECONNRESET`; connects to it
 * fail with `ENODEV`; `getNodeIds` leaves it out; `"noderemove"` fires (and `"nodeadd"` when it
 * is up). The programs on the node itself lose everything at once, as on a card that is
 * reset: their endpoints are reset without draining (`ECONNRESET` on a connection, `ENODEV` on
 * a connect, an accept or a listener), and every call of their `ScifNode` is `ENODEV`; they
 * attach the node again once it is up. A node brought up is a new incarnation: nothing of the
 * old one (its endpoints, its peers' endpoints with it) ever sees its traffic. Mappings of its
 * windows are as after a node loss: they stay valid until unmapped.
 *
 * @example
 * ```ts
 * import { createNetwork } from "./mod.ts";
 * const net = await createNetwork({ nodes: 2 });
 * const host = await net.node(0);
 * await net.nodeDown(1);
 * console.log(net.nodeState(1), host.getNodeIds().nodes); // "down" [ 0 ]
 * await net.nodeUp(1);
 * await net.close();
 * ```
 *
 * @module
 */

import { ScifError } from "./errors.ts";
import { denoGlobal } from "./_deno.ts";
import { nodeIdOf } from "./_validate.ts";
import type { FaultControl } from "./emu/network.ts";

/**
 * A node's state in its network: `"online"`; `"offline"` (a node of a network of threads that
 * no thread has attached); `"down"` (taken down, until brought up); `"lost"` (its thread or
 * the link to its machine went away).
 *
 * @example
 * ```ts
 * import type { NodeState } from "./node_control.ts";
 * const s: NodeState = "down";
 * ```
 */
export type NodeState = "online" | "offline" | "down" | "lost";

/**
 * Taking the nodes of an emulated network down and up (see the module's documentation).
 * Node ids that are not integers are `EINVAL`; an id the network does not have is `ENODEV`;
 * node 0, the host, is `EINVAL` (SCIF resets cards, not the host); a node of another machine is
 * taken down on its own machine (`EOPNOTSUPP` elsewhere).
 *
 * @example
 * ```ts
 * import { machineNetwork } from "./mod.ts";
 * const machine = await machineNetwork(); // needs --allow-ffi --allow-env
 * await machine.nodeDown(2); // its programs' endpoints reset; their peers see ECONNRESET
 * await machine.nodeUp(2); // a new incarnation: programs attach it again
 * ```
 */
export interface NodeControl {
  /** How many nodes the network has. */
  readonly nodes: number;
  /** Takes node `nodeId` down, as a card that is reset; resolves once its programs' slots have
   * ended (within a second: one that does not end itself is ended). Down already: nothing. */
  nodeDown(nodeId: number): Promise<void>;
  /** Brings node `nodeId` up again, a new incarnation: on the machine's network it is online at
   * once; on a network of threads it may be attached again. Not down: nothing. */
  nodeUp(nodeId: number): Promise<void>;
  /** The state of node `nodeId` now. */
  nodeState(nodeId: number): NodeState;
}

/**
 * The machine's emulated network as {@linkcode machineNetwork} gives it: its nodes taken down
 * and up, and its fault plan ({@linkcode FaultControl}), which every program of the machine, in
 * any process, follows from its next decision on (the plan lives in the memory they all map).
 *
 * @example
 * ```ts
 * import { machineNetwork } from "./mod.ts";
 * const machine = await machineNetwork(); // needs --allow-ffi --allow-env
 * machine.faults.set({ seed: 42, dma: { failRate: 0.1 } }); // every process's DMA from now on
 * console.log(machine.faults.get());
 * machine.faults.set(null); // off
 * ```
 */
export interface MachineNetwork extends NodeControl {
  /** The machine's fault plan: DMA transfers that fail or stall, nodes that stop answering,
   * slow nodes, links to other machines cut (`partition`); `scif faults set` is one writer. */
  readonly faults: FaultControl;
}

/**
 * The machine's emulated network (the one `openNode()` joins in Deno without SCIF hardware),
 * for taking its nodes down and up and setting its fault plan from any program of the machine,
 * without attaching a node.
 * Deno only, with `--allow-ffi --allow-env` (`EPERM` naming them otherwise); `dir` is the
 * rendezvous directory (default: `SCIF_EMU_DIR`, else the user's).
 *
 * @example
 * ```ts
 * import { machineNetwork } from "./mod.ts";
 * const machine = await machineNetwork();
 * for (let id = 0; id < machine.nodes; id++) console.log(id, machine.nodeState(id));
 * ```
 */
export async function machineNetwork(options: { dir?: string } = {}): Promise<MachineNetwork> {
  if (typeof options !== "object" || options === null) {
    throw new ScifError("EINVAL", "options must be an object");
  }
  if (options.dir !== undefined && typeof options.dir !== "string") {
    throw new ScifError("EINVAL", `dir must be a string, got ${String(options.dir)}`);
  }
  if (typeof denoGlobal()?.dlopen !== "function") {
    throw new ScifError(
      "EOPNOTSUPP",
      "machineNetwork: the machine's network maps its memory file through Deno's FFI, which this runtime does not have",
    );
  }
  const { machineControl } = await import("./emu/machine.ts");
  const control = await machineControl({ dir: options.dir });
  return { ...checkedControl(control), faults: control.faults };
}

/** `control` with its node ids checked first (EINVAL for what is not an integer). */
export function checkedControl(control: NodeControl): NodeControl {
  return {
    nodes: control.nodes,
    nodeDown: async (id) => await control.nodeDown(nodeIdOf(id, "nodeId")),
    nodeUp: async (id) => await control.nodeUp(nodeIdOf(id, "nodeId")),
    nodeState: (id) => control.nodeState(nodeIdOf(id, "nodeId")),
  };
}
