// The option objects of Endpoint's calls (re-exported by endpoint.ts and mod.ts): what each
// option means, in SCIF's terms. Their checks are the calls' own (_validate.ts, _abort.ts,
// _endpoint_rma.ts): `undefined` means the default, anything but an object is EINVAL.

import type { Offset } from "./types.ts";

/** What stops a call that waits. @example `await ep.connect(dst, { signal: AbortSignal.timeout(1000) })` */
export interface SignalOptions {
  /** Aborting it ends the wait with EINTR, as a signal ends a call blocked in the kernel (a
   * send or recv that moved bytes resolves with their count instead; nothing is lost). */
  signal?: AbortSignal;
}

/** Options of send and recv. @example `await ep.send(bytes, { block: false })` */
export interface TransferOptions extends SignalOptions {
  /** true (default): SCIF_SEND_BLOCK / SCIF_RECV_BLOCK, move every byte. false: move what can move now. */
  block?: boolean;
}

/** Options of accept. @example `await listener.accept({ block: false })` */
export interface AcceptOptions extends SignalOptions {
  /** true (default): SCIF_ACCEPT_SYNC, wait for a request. false: EAGAIN when none is pending. */
  block?: boolean;
}

/**
 * Options of {@linkcode Endpoint.register}.
 *
 * @example
 * ```ts
 * import { SCIF_PROT_READ, type RegisterOptions } from "./mod.ts";
 * const o: RegisterOptions = { offset: 0x10000, fixed: true, prot: SCIF_PROT_READ };
 * const near63: RegisterOptions = { offset: 0x7fff_ffff_fff0_0000n, fixed: true }; // register returns a bigint
 * const kernelChosen: RegisterOptions = { bigint: true }; // the kernel's offset, exactly
 * ```
 */
export interface RegisterOptions {
  /** With `fixed`: the offset of the window, a number or a bigint: page aligned, not negative,
   * and the window must end by 2^63 - 1 (the kernel's LONG_MAX), else EINVAL. Without `fixed`
   * it is not used (the kernel ignores it too). */
  offset?: Offset;
  /** What the peer may do: SCIF_PROT_READ | SCIF_PROT_WRITE (the default). */
  prot?: number;
  /** SCIF_MAP_FIXED: the window goes exactly at `offset` (EADDRINUSE if that overlaps one). */
  fixed?: boolean;
  /** Return the window's offset as a bigint. The default is whether `offset` is a bigint. When
   * the offset is returned as a number and the backend chose one that no number holds exactly
   * (the kernel chooses offsets near 2^63), register undoes the registration and fails with
   * EOVERFLOW, as the kernel does when a result does not fit the caller's type: pass
   * `bigint: true` to take such offsets. */
  bigint?: boolean;
}
