// The libc functions the hardware backend calls, through Deno.dlopen: open, close, ioctl,
// mmap, munmap, poll and __errno_location. The library path can be another one with the same
// symbols (the simulated device of the tests).
//
// errno is thread-local: it is read on the thread that made the call, right after it (here for
// calls made on this thread; blocking calls run on a Worker of _blocking.ts, which reads it
// there).

import { ScifError } from "../errors.ts";

/** The symbols, as Deno.dlopen wants them (ioctl twice: its third argument is a pointer to a
 * struct for most requests and a value for SCIF_LISTEN and SCIF_FENCE_WAIT). */
export const SYMBOLS = {
  open: { parameters: ["buffer", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  ioctl_buf: { name: "ioctl", parameters: ["i32", "u64", "buffer"], result: "i32" },
  ioctl_val: { name: "ioctl", parameters: ["i32", "u64", "i64"], result: "i32" },
  mmap: { parameters: ["pointer", "usize", "i32", "i32", "i32", "i64"], result: "pointer" },
  munmap: { parameters: ["pointer", "usize"], result: "i32" },
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

type Symbols = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

export const O_RDWR = 2;
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const MAP_SHARED = 1;
export const MAP_ANONYMOUS = 0x20;

/** libc, opened on this thread. */
export class Libc {
  readonly path: string;
  readonly fn: Symbols;
  readonly #lib: Deno.DynamicLibrary<typeof SYMBOLS>;
  readonly #errno: Deno.UnsafePointerView;
  readonly #bases = new WeakMap<ArrayBufferLike, bigint>();

  constructor(path: string) {
    this.path = path;
    this.#lib = Deno.dlopen(path, SYMBOLS);
    this.fn = this.#lib.symbols;
    this.#errno = new Deno.UnsafePointerView(this.fn.__errno_location()!);
  }

  /** This thread's errno, as the last call left it. */
  errno(): number {
    return this.#errno.getInt32();
  }

  /** The ScifError for this thread's errno. */
  error(what: string): ScifError {
    return ScifError.fromErrno(this.errno(), what);
  }

  /** Throws the ScifError for errno when `ret` is -1; returns `ret`. */
  check(ret: number, what: string): number {
    if (ret === -1) throw this.error(what);
    return ret;
  }

  /** The address of `a`'s first byte (array buffers never move, so bases are cached). */
  address(a: Uint8Array): bigint {
    let base = this.#bases.get(a.buffer);
    if (base === undefined) {
      base = Deno.UnsafePointer.value(Deno.UnsafePointer.of(new Uint8Array(a.buffer)));
      this.#bases.set(a.buffer, base);
    }
    return base + BigInt(a.byteOffset);
  }

  close(): void {
    this.#lib.close();
  }
}

/** A NUL-terminated path for open(). */
export function cString(s: string): Uint8Array {
  return new TextEncoder().encode(`${s}\0`);
}
