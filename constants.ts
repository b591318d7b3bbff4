/**
 * The constants of the SCIF API, with the Linux kernel's values
 * (include/uapi/linux/scif_ioctl.h, include/linux/scif.h) and the POSIX poll events.
 *
 * @example
 * ```ts
 * import { SCIF_PORT_RSVD, SCIF_SEND_BLOCK } from "./constants.ts";
 * console.log(SCIF_PORT_RSVD, SCIF_SEND_BLOCK); // 1088 1
 * ```
 *
 * @module
 */

/** scif_accept flag: wait for a connection request. @example `SCIF_ACCEPT_SYNC === 1` */
export const SCIF_ACCEPT_SYNC = 1;
/** scif_send flag: move every byte before returning. @example `SCIF_SEND_BLOCK === 1` */
export const SCIF_SEND_BLOCK = 1;
/** scif_recv flag: move every byte before returning. @example `SCIF_RECV_BLOCK === 1` */
export const SCIF_RECV_BLOCK = 1;
/** Window protection: the peer may read. @example `SCIF_PROT_READ === 1` */
export const SCIF_PROT_READ = 1;
/** Window protection: the peer may write. @example `SCIF_PROT_WRITE === 2` */
export const SCIF_PROT_WRITE = 2;
/** scif_register flag: use the given offset exactly. @example `SCIF_MAP_FIXED === 0x10` */
export const SCIF_MAP_FIXED = 0x10;
/** RMA flag: the calling CPU copies. @example `SCIF_RMA_USECPU === 1` */
export const SCIF_RMA_USECPU = 1;
/** RMA flag (v* only): the local buffer may stay registered in a cache. @example `SCIF_RMA_USECACHE === 2` */
export const SCIF_RMA_USECACHE = 2;
/** RMA flag: return only when the transfer is complete. @example `SCIF_RMA_SYNC === 4` */
export const SCIF_RMA_SYNC = 4;
/** RMA flag: the last cache line of the transfer lands last. @example `SCIF_RMA_ORDERED === 8` */
export const SCIF_RMA_ORDERED = 8;
/** Fence: RMAs initiated by this endpoint. @example `SCIF_FENCE_INIT_SELF === 1` */
export const SCIF_FENCE_INIT_SELF = 1;
/** Fence: RMAs initiated by the peer. @example `SCIF_FENCE_INIT_PEER === 2` */
export const SCIF_FENCE_INIT_PEER = 2;
/** Fence: RMAs into this endpoint's windows (reserved by the kernel). @example `SCIF_FENCE_RAS_SELF === 4` */
export const SCIF_FENCE_RAS_SELF = 4;
/** Fence: RMAs into the peer's windows (reserved by the kernel). @example `SCIF_FENCE_RAS_PEER === 8` */
export const SCIF_FENCE_RAS_PEER = 8;
/** fence_signal: write the local value. @example `SCIF_SIGNAL_LOCAL === 16` */
export const SCIF_SIGNAL_LOCAL = 16;
/** fence_signal: write the remote value. @example `SCIF_SIGNAL_REMOTE === 32` */
export const SCIF_SIGNAL_REMOTE = 32;
/** Ports below this need privilege. @example `SCIF_ADMIN_PORT_END === 1024` */
export const SCIF_ADMIN_PORT_END = 1024;
/** bind(0) assigns a port at or above this. @example `SCIF_PORT_RSVD === 1088` */
export const SCIF_PORT_RSVD = 1088;
/** The highest port number (ports are u16). @example `SCIF_PORT_MAX === 65535` */
export const SCIF_PORT_MAX = 65535;
/** Page size of registration and mmap. @example `SCIF_PAGE_SIZE === 4096` */
export const SCIF_PAGE_SIZE = 4096;

/** poll: data or a connection request is waiting. @example `POLLIN === 1` */
export const POLLIN = 1;
/** poll: send would move bytes now. @example `POLLOUT === 4` */
export const POLLOUT = 4;
/** poll: the endpoint is in a state that cannot be polled. @example `POLLERR === 8` */
export const POLLERR = 8;
/** poll: the peer has closed. @example `POLLHUP === 16` */
export const POLLHUP = 16;
/** poll: the endpoint is closed or not an endpoint. @example `POLLNVAL === 32` */
export const POLLNVAL = 32;
