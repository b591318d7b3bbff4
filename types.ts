/**
 * Types shared by the public API: port ids and registered-space offsets.
 *
 * @example
 * ```ts
 * import type { PortId } from "./types.ts";
 * const server: PortId = { node: 0, port: 2000 };
 * ```
 *
 * @module
 */

/**
 * A SCIF port id: a node id and a port on that node (the kernel's struct scif_port_id).
 *
 * @example
 * ```ts
 * import type { PortId } from "./types.ts";
 * const dst: PortId = { node: 1, port: 2050 };
 * ```
 */
export interface PortId {
  /** The node id (host = 0). */
  node: number;
  /** The port number, 0..65535. */
  port: number;
}

/**
 * An offset in a registered address space (the kernel's off_t, a signed 64-bit value): a number
 * that is a safe integer, or a bigint. The offsets the kernel chooses for windows lie just below
 * 2^63, beyond what a number holds exactly: pass and receive those as bigints (see
 * `RegisterOptions.bigint`). A bigint from 2^63 to 2^64 - 1 is taken as the u64 of a negative
 * off_t, as C passes it.
 *
 * @example
 * ```ts
 * import type { Offset } from "./types.ts";
 * const kernelChosen: Offset = 0x7fff_ffff_ffff_e000n;
 * const small: Offset = 0x10000;
 * ```
 */
export type Offset = number | bigint;
