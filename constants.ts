/**
 * The constants of the SCIF API, with the Linux kernel's values
 * (include/uapi/linux/scif_ioctl.h, include/linux/scif.h) and the POSIX poll events. Flags
 * combine with `|` and are tested with `&`, as in C; the blocking flags of accept, send and recv
 * are the calls' `block` option instead, and SCIF_MAP_FIXED is register's `fixed`.
 *
 * @example
 * ```ts
 * import { type Endpoint, POLLIN, POLLOUT, type ScifNode, SCIF_PROT_READ, SCIF_PROT_WRITE } from "./mod.ts";
 * declare const node: ScifNode, ep: Endpoint;
 * ep.register(node.allocate(4096), { prot: SCIF_PROT_READ | SCIF_PROT_WRITE }); // flags combine with |
 * const entry = { endpoint: ep, events: POLLIN | POLLOUT, revents: 0 };
 * await node.poll([entry], -1);
 * if (entry.revents & POLLIN) console.log("bytes to read"); // and are tested with &
 * ```
 *
 * @module
 */

/** scif_accept flag: wait for a connection request. */
export const SCIF_ACCEPT_SYNC = 1;
/** scif_send flag: move every byte before returning. */
export const SCIF_SEND_BLOCK = 1;
/** scif_recv flag: move every byte before returning. */
export const SCIF_RECV_BLOCK = 1;
/** Window protection: the peer may read. */
export const SCIF_PROT_READ = 1;
/** Window protection: the peer may write. */
export const SCIF_PROT_WRITE = 2;
/** scif_register flag: use the given offset exactly. */
export const SCIF_MAP_FIXED = 0x10;
/** RMA flag: the calling CPU copies. */
export const SCIF_RMA_USECPU = 1;
/** RMA flag (v* only): the local buffer may stay registered in a cache. */
export const SCIF_RMA_USECACHE = 2;
/** RMA flag: return only when the transfer is complete. */
export const SCIF_RMA_SYNC = 4;
/** RMA flag: the last cache line of the transfer lands last. */
export const SCIF_RMA_ORDERED = 8;
/** Fence: RMAs initiated by this endpoint. */
export const SCIF_FENCE_INIT_SELF = 1;
/** Fence: RMAs initiated by the peer. */
export const SCIF_FENCE_INIT_PEER = 2;
/** Fence: RMAs into this endpoint's windows (reserved by the kernel). */
export const SCIF_FENCE_RAS_SELF = 4;
/** Fence: RMAs into the peer's windows (reserved by the kernel). */
export const SCIF_FENCE_RAS_PEER = 8;
/** fence_signal: write the local value. */
export const SCIF_SIGNAL_LOCAL = 16;
/** fence_signal: write the remote value. */
export const SCIF_SIGNAL_REMOTE = 32;
/** Ports below this need privilege. */
export const SCIF_ADMIN_PORT_END = 1024;
/** bind(0) assigns a port at or above this. */
export const SCIF_PORT_RSVD = 1088;
/** The highest port number (ports are u16). */
export const SCIF_PORT_MAX = 65535;
/** Page size of registration and mmap. */
export const SCIF_PAGE_SIZE = 4096;

/** poll: data or a connection request is waiting. */
export const POLLIN = 1;
/** poll: send would move bytes now. */
export const POLLOUT = 4;
/** poll: the endpoint is in a state that cannot be polled. */
export const POLLERR = 8;
/** poll: the peer has closed. */
export const POLLHUP = 16;
/** poll: the endpoint is closed or not an endpoint. */
export const POLLNVAL = 32;
