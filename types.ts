/**
 * Types shared by the public API: port ids and poll entries.
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
