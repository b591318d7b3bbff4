// Argument checks of the public API that every backend shares: what JavaScript can pass and C
// cannot (a non-integer, a missing array), and the checks the kernel makes before it looks at
// the endpoint's state. All fail with EINVAL.

import { SCIF_PAGE_SIZE, SCIF_PORT_MAX } from "./constants.ts";
import { ScifError } from "./errors.ts";

/** `options.block`, default true. */
export function blockOf(options: { block?: boolean } | undefined): boolean {
  if (options === undefined) return true;
  if (typeof options !== "object" || options === null) {
    throw new ScifError("EINVAL", "options must be an object");
  }
  const b = options.block;
  if (b !== undefined && typeof b !== "boolean") throw new ScifError("EINVAL", "block must be a boolean");
  return b ?? true;
}

/** `v` as a Uint8Array. */
export function bytesOf(v: unknown, what: string): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new ScifError("EINVAL", `${what} must be a Uint8Array`);
  return v;
}

/** `v` as a port number. */
export function portOf(v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > SCIF_PORT_MAX) {
    throw new ScifError("EINVAL", `${what} must be an integer in [0, ${SCIF_PORT_MAX}], got ${String(v)}`);
  }
  return v;
}

/** `v` as a node id: an integer. Whether it names a node is the backend's question: ENODEV
 * for one that does not, as the kernel answers a C caller's -1 (65535 as the u16 of struct
 * scif_port_id) or any id above the network's. */
export function nodeIdOf(v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new ScifError("EINVAL", `${what} must be a node id, an integer, got ${String(v)}`);
  }
  return v;
}

/** `v` as a string (EINVAL otherwise); undefined gives `fallback`. */
export function stringOf(v: unknown, what: string, fallback: string): string {
  if (v === undefined) return fallback;
  if (typeof v !== "string") throw new ScifError("EINVAL", `${what} must be a string, got ${String(v)}`);
  return v;
}

/** `v` as a safe integer, at least `min`. */
export function integerOf(v: unknown, what: string, min = Number.MIN_SAFE_INTEGER): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min) {
    throw new ScifError(
      "EINVAL",
      `${what} must be an integer${min > Number.MIN_SAFE_INTEGER ? ` >= ${min}` : ""}, got ${String(v)}`,
    );
  }
  return v;
}

/** `v` as a u64 value (a bigint, or a safe non-negative integer number). */
export function u64Of(v: unknown, what: string): bigint {
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v !== "bigint" || v < 0n || v >= 1n << 64n) {
    throw new ScifError("EINVAL", `${what} must be a u64 bigint`);
  }
  return v;
}

/** EINVAL unless `n` is a multiple of the page size. */
export function pageAligned(n: number, what: string): number {
  if (n % SCIF_PAGE_SIZE !== 0) {
    throw new ScifError("EINVAL", `${what} ${n} is not page aligned (${SCIF_PAGE_SIZE})`);
  }
  return n;
}

/** Runs `fn`, turning a synchronous throw into a rejected promise. */
export function rejected<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return fn();
  } catch (e) {
    return Promise.reject(e);
  }
}
