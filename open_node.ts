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
import { ScifNode } from "./node.ts";
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
  /** hw: the C library whose open/close/ioctl/mmap/munmap/poll to call, default "libc.so.6"
   * (another library with the same symbols can stand in, as the tests' simulated device). */
  libc?: string;
  /** emu: the network to join (a Network, or a NetworkHandle posted to this Worker).
   * Default in Deno: this machine's emulated network, shared by every process that joins it
   * (a rendezvous directory of Unix sockets, SCIF_EMU_DIR; see README), which needs
   * --allow-read and --allow-write; without them, and in a browser: this thread's own network.
   * Either way the lowest free node id is taken. */
  network?: Network | NetworkHandle;
  /** emu, the machine's network: the node id to take (default SCIF_NODE, else the lowest free). */
  node?: number;
}

let defaultNetwork: Promise<Network> | undefined;

// deno-lint-ignore no-explicit-any
const deno = () => (globalThis as any).Deno;

function deviceExists(path: string): boolean {
  try {
    deno()?.statSync(path);
    return typeof deno()?.statSync === "function";
  } catch {
    return false;
  }
}

/** Whether FFI may be used: the runtime has it and the program was given --allow-ffi. */
function ffiPermitted(): boolean {
  if (typeof deno()?.dlopen !== "function") return false;
  try {
    return deno().permissions.querySync({ name: "ffi" }).state === "granted";
  } catch {
    return false;
  }
}

/** The hardware node, or the ScifError that says what is missing. */
async function openHardware(device: string, libc: string): Promise<ScifNode> {
  if (typeof deno()?.dlopen !== "function") {
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
  const backend = options.backend ?? "auto";
  if (backend !== "auto" && backend !== "hw" && backend !== "emu") {
    throw new ScifError("EINVAL", `unknown backend ${String(backend)}`);
  }
  const device = options.device ?? "/dev/scif";
  const libc = options.libc ?? "libc.so.6";
  if (backend === "hw" || (backend === "auto" && deviceExists(device) && ffiPermitted())) {
    return openHardware(device, libc);
  }
  const net = options.network;
  if (net && "kind" in net) return attachNode(net);
  if (!net && typeof deno()?.listen === "function") {
    const { joinMachine } = await import("./emu/_machine.ts");
    try {
      return new ScifNode(await joinMachine({ node: options.node }));
    } catch (e) {
      // Without the permissions the machine's network needs (its directory and sockets), the
      // program still gets a node: of its own thread's network, as in a browser.
      if (!(e instanceof ScifError && e.code === "EPERM")) throw e;
    }
  }
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
