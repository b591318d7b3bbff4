/**
 * `openNode`: attaches to the SCIF node this thread runs on, on hardware when there is
 * some, else on the emulated network.
 *
 * @example
 * ```ts
 * import { openNode } from "./open_node.ts";
 * const node = await openNode(); // "auto": /dev/scif if present and usable, else the emulator
 * console.log(node.backend, node.getNodeIds());
 * await node.close();
 * ```
 *
 * @module
 */

import { ScifError } from "./errors.ts";
import type { ScifNode } from "./node.ts";
import { attachNode, createNetwork, type Network, type NetworkHandle } from "./emu/network.ts";

/**
 * Options of {@linkcode openNode}.
 *
 * @example
 * ```ts
 * import type { OpenNodeOptions } from "./open_node.ts";
 * const o: OpenNodeOptions = { backend: "emu" };
 * ```
 */
export interface OpenNodeOptions {
  /** "auto" (default): hardware when /dev/scif exists and FFI is permitted, else "emu". */
  backend?: "auto" | "hw" | "emu";
  /** hw: the device path, default "/dev/scif". */
  device?: string;
  /** emu: the network to join (a Network, or a NetworkHandle posted to this Worker).
   * Default: this thread's own default network, where the lowest free node id is attached. */
  network?: Network | NetworkHandle;
}

let defaultNetwork: Promise<Network> | undefined;

function deviceExists(path: string): boolean {
  // deno-lint-ignore no-explicit-any
  const deno = (globalThis as any).Deno;
  if (typeof deno?.statSync !== "function") return false;
  try {
    deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Opens this thread's SCIF node.
 *
 * @example
 * ```ts
 * import { openNode } from "./open_node.ts";
 * const node = await openNode({ backend: "emu" });
 * const ep = node.open();
 * ep.bind(0);
 * await node.close();
 * ```
 */
export async function openNode(options: OpenNodeOptions = {}): Promise<ScifNode> {
  if (typeof options !== "object" || options === null) {
    throw new ScifError("EINVAL", "options must be an object");
  }
  const backend = options.backend ?? "auto";
  if (backend !== "auto" && backend !== "hw" && backend !== "emu") {
    throw new ScifError("EINVAL", `unknown backend ${String(backend)}`);
  }
  const device = options.device ?? "/dev/scif";
  if (backend === "hw") {
    throw new ScifError(
      "ENODEV",
      deviceExists(device)
        ? `${device} exists but this version has no hardware backend yet`
        : `${device} does not exist: no SCIF driver on this machine (use backend "emu")`,
    );
  }
  const net = options.network;
  if (net && "kind" in net) return attachNode(net);
  const network = net ?? await (defaultNetwork ??= createNetwork({ nodes: 8 }));
  for (let id = 0; id < network.nodes; id++) {
    try {
      return await network.node(id);
    } catch (e) {
      if (!(e instanceof ScifError && e.code === "EBUSY")) throw e;
    }
  }
  throw new ScifError("EBUSY", "every node of the network is attached");
}
