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
import { nodeIdOf, stringOf } from "./_validate.ts";
import { ScifNode } from "./node.ts";
import { attachNode, createNetwork, type Network, type NetworkHandle } from "./network.ts";
import { denoGlobal, ffiPermitted } from "./_deno.ts";
import { requireNetworkRuntime } from "./_runtime.ts";

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
  /** hw: the C library whose open/close/ioctl/mmap/munmap/poll to call, default "libc.so.6"
   * (another library with the same symbols can stand in, as the tests' simulated device). */
  libc?: string;
  /** emu: the network to join. "machine" (the default in Deno): this machine's emulated
   * network, shared by every program that joins it (see README; it needs --allow-ffi and
   * --allow-env). "thread" (the default in a browser): a network of this program's threads.
   * Or a Network, or a NetworkHandle posted to this Worker. */
  network?: Network | NetworkHandle | "machine" | "thread";
  /** emu: the node to attach. The machine's network: default SCIF_NODE, else 0 (the host);
   * any number of programs may attach a node. A network of threads: default the lowest free. */
  node?: number;
}

let defaultNetwork: Promise<Network> | undefined;

function deviceExists(path: string): boolean {
  const deno = denoGlobal();
  try {
    deno?.statSync(path);
    return typeof deno?.statSync === "function";
  } catch {
    return false;
  }
}

/** The hardware node, or the ScifError that says what is missing. */
async function openHardware(device: string, libc: string): Promise<ScifNode> {
  if (typeof denoGlobal()?.dlopen !== "function") {
    throw new ScifError("ENODEV", "the hardware backend needs Deno's FFI, which this runtime does not have");
  }
  if (!deviceExists(device)) {
    throw new ScifError(
      "ENODEV",
      `${device} does not exist: no SCIF driver on this machine (use backend "emu")`,
    );
  }
  if (!ffiPermitted()) {
    throw new ScifError("EPERM", `the hardware backend calls ${libc} through FFI: run deno with --allow-ffi`);
  }
  // Loaded only here, so that a program without hardware (and the browser build) never loads
  // the FFI backend.
  const { FfiNode } = await import("./ffi/_node.ts");
  return new ScifNode(FfiNode.open(device, libc));
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
  const backend = options.backend === undefined ? "auto" : options.backend;
  if (backend !== "auto" && backend !== "hw" && backend !== "emu") {
    throw new ScifError("EINVAL", `unknown backend ${String(backend)} (use "auto", "hw" or "emu")`);
  }
  const device = stringOf(options.device, "device", "/dev/scif");
  const libc = stringOf(options.libc, "libc", "libc.so.6");
  if (options.node !== undefined) nodeIdOf(options.node, "node");
  if (backend === "hw" || (backend === "auto" && deviceExists(device) && ffiPermitted())) {
    return openHardware(device, libc);
  }
  const net = options.network === undefined ? (denoGlobal() ? "machine" : "thread") : options.network;
  if (typeof net === "object" && net !== null && "kind" in net && net.kind !== "scif-emu-network") {
    throw new ScifError("EINVAL", 'network must be "machine", "thread", a Network or a NetworkHandle');
  }
  if (typeof net === "object" && net !== null && "kind" in net) return attachNode(net);
  if (net === "machine") {
    if (typeof denoGlobal()?.dlopen !== "function") {
      throw new ScifError(
        "EOPNOTSUPP",
        "openNode: the machine's network maps its memory file and wakes other processes through Deno's " +
          'FFI, which this runtime does not have: pass openNode({ network: "thread" }) for a network of ' +
          "this program's threads, or run in Deno",
      );
    }
    requireNetworkRuntime("openNode");
    const { joinMachine } = await import("./emu/machine.ts");
    return new ScifNode(await joinMachine({ node: options.node }));
  }
  if (net !== "thread" && (typeof net !== "object" || net === null || typeof net.node !== "function")) {
    throw new ScifError("EINVAL", 'network must be "machine", "thread", a Network or a NetworkHandle');
  }
  requireNetworkRuntime("openNode");
  const network = net === "thread" ? await (defaultNetwork ??= createNetwork({ nodes: 8 })) : net;
  if (options.node !== undefined) return await network.node(options.node);
  for (let id = 0; id < network.nodes; id++) {
    try {
      return await network.node(id);
    } catch (e) {
      if (!(e instanceof ScifError && e.code === "EBUSY")) throw e;
    }
  }
  throw new ScifError("EBUSY", "every node of the network is attached");
}
