/**
 * `ScifError`: what every SCIF call throws, carrying the Linux errno name and number that the
 * kernel driver would return for the same call.
 *
 * @example
 * ```ts
 * import { ScifError } from "./errors.ts";
 * const e = new ScifError("ECONNREFUSED", "nothing listens on 1:2000");
 * console.log(e.code, e.errno); // ECONNREFUSED 111
 * ```
 *
 * @module
 */

/** Linux x86-64 errno values of the names SCIF returns. */
export const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  EINTR: 4,
  ENXIO: 6,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  ENODEV: 19,
  EINVAL: 22,
  ENOTTY: 25,
  ENOSPC: 28,
  EOPNOTSUPP: 95,
  EADDRINUSE: 98,
  ENOBUFS: 105,
  ECONNRESET: 104,
  EISCONN: 106,
  ENOTCONN: 107,
  ETIMEDOUT: 110,
  ECONNREFUSED: 111,
  EALREADY: 114,
  EINPROGRESS: 115,
} as const;

/** An errno name SCIF can return. @example `const c: ErrnoName = "EINVAL";` */
export type ErrnoName = keyof typeof ERRNO;

/**
 * A failed SCIF call: `code` is the errno name, `errno` its Linux number.
 *
 * @example
 * ```ts
 * import { ScifError } from "./errors.ts";
 * try {
 *   throw new ScifError("ENOTCONN", "send on an unconnected endpoint");
 * } catch (e) {
 *   if (e instanceof ScifError && e.code === "ENOTCONN") console.log(e.errno); // 107
 * }
 * ```
 */
export class ScifError extends Error {
  /** The Linux errno name, e.g. "ECONNREFUSED". */
  readonly code: ErrnoName;
  /** The Linux x86-64 errno number, e.g. 111. */
  readonly errno: number;

  /** Makes an error for `code`; `detail` says what happened. */
  constructor(code: ErrnoName, detail?: string) {
    super(detail ? `${code}: ${detail}` : code);
    this.name = "ScifError";
    this.code = code;
    this.errno = ERRNO[code];
  }

  /** The error for a Linux errno number (as the hardware backend reads it). */
  static fromErrno(errno: number, detail?: string): ScifError {
    for (const [name, value] of Object.entries(ERRNO)) {
      if (value === errno) return new ScifError(name as ErrnoName, detail);
    }
    const e = new ScifError("EINVAL", `${detail ?? ""} (errno ${errno})`);
    (e as { errno: number }).errno = errno;
    return e;
  }
}
