// The C library calls the emulated network makes where Deno has no API of its own, through
// Deno.dlopen (so this module is loaded only where FFI may be used, and never in a browser):
// mapping a file's pages under the WebAssembly memory (mmap), futexes that wake sleepers of
// other processes, open file description locks that end with their process, and the checks of
// the rendezvous directory.
//
// errno is thread-local, but what is read through FFI after a call is whatever the thread's last
// libc call left, and the runtime makes calls of its own on the same thread (seen here: ENOENT
// after a mkdir that failed with EEXIST): it goes into messages, and nothing is decided by it.

import { ScifError } from "../../errors.ts";

const SYMBOLS = {
  open: { parameters: ["buffer", "i32", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  ftruncate: { parameters: ["i32", "i64"], result: "i32" },
  lseek: { parameters: ["i32", "i64", "i32"], result: "i64" },
  pread: { parameters: ["i32", "buffer", "usize", "i64"], result: "isize" },
  pwrite: { parameters: ["i32", "buffer", "usize", "i64"], result: "isize" },
  mmap: { parameters: ["pointer", "usize", "i32", "i32", "i32", "i64"], result: "pointer" },
  munmap: { parameters: ["pointer", "usize"], result: "i32" },
  memfd_create: { parameters: ["buffer", "u32"], result: "i32" },
  fcntl: { parameters: ["i32", "i32", "buffer"], result: "i32" },
  mkdir: { parameters: ["buffer", "u32"], result: "i32" },
  lstat: { parameters: ["buffer", "buffer"], result: "i32" },
  fstat: { parameters: ["i32", "buffer"], result: "i32" },
  fchmod: { parameters: ["i32", "u32"], result: "i32" },
  geteuid: { parameters: [], result: "u32" },
  futex: {
    name: "syscall",
    parameters: ["i64", "pointer", "i64", "i64", "pointer", "pointer", "i64"],
    result: "i64",
  },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

type Symbols = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

export const O_RDWR = 0o2;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_NOFOLLOW = 0o400000;
export const O_CLOEXEC = 0o2000000;
export const O_DIRECTORY = 0o200000;
export const PROT_NONE = 0;
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const MAP_SHARED = 0x01;
export const MAP_PRIVATE = 0x02;
export const MAP_FIXED = 0x10;
export const MAP_ANONYMOUS = 0x20;
export const MAP_NORESERVE = 0x4000;
export const S_IFMT = 0o170000;
export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;
const SYS_FUTEX = 202n;
const FUTEX_WAKE = 1n;
const F_OFD_GETLK = 36;
const F_OFD_SETLK = 37;
const F_OFD_SETLKW = 38;
export const F_RDLCK = 0;
export const F_WRLCK = 1;
export const F_UNLCK = 2;

/** What lstat/fstat say of a file (the fields the checks use). */
export interface FileStat {
  readonly mode: number;
  readonly uid: number;
  readonly size: number;
}

/** libc, opened on this thread. */
export class Libc {
  readonly fn: Symbols;
  readonly #errno: Deno.UnsafePointerView;

  constructor() {
    this.fn = Deno.dlopen("libc.so.6", SYMBOLS).symbols;
    this.#errno = new Deno.UnsafePointerView(this.fn.__errno_location()!);
  }

  /** This thread's errno, as the last call left it. */
  errno(): number {
    return this.#errno.getInt32();
  }

  /** Opens `path`; -1 with errno on failure. */
  open(path: string, flags: number, mode = 0o600): number {
    return this.fn.open(cString(path), flags | O_CLOEXEC, mode);
  }

  /** lstat (follow: stat through fstat of an open descriptor is fstat()); null when absent. */
  lstat(path: string): FileStat | null {
    const buf = new Uint8Array(144);
    return this.fn.lstat(cString(path), buf) === 0 ? parseStat(buf) : null;
  }

  fstat(fd: number): FileStat | null {
    const buf = new Uint8Array(144);
    return this.fn.fstat(fd, buf) === 0 ? parseStat(buf) : null;
  }

  /** Wakes every futex waiter at `addr` (any process that maps the page). */
  futexWake(addr: Deno.PointerValue): void {
    this.fn.futex(SYS_FUTEX, addr, FUTEX_WAKE, 0x7fffffffn, null, null, 0n);
  }

  /** Takes (F_RDLCK, F_WRLCK) or drops (F_UNLCK) an open file description lock on one byte at
   * `at` of `fd`; `wait`: block until it is granted. False when another holder has it.
   *
   * errno decides nothing here: read through FFI it is what the thread's last libc call left,
   * and the runtime may make calls of its own (a failed open of its own, say) between ours and
   * the read, so a conflict is told by asking the kernel who holds the byte (F_OFD_GETLK). */
  lockByte(fd: number, at: number, type: number, wait = false): boolean {
    for (let attempt = 0; attempt < 1000; attempt++) {
      if (this.fn.fcntl(fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, flock(type, at)) === 0) return true;
      // Dropping a lock fails only on a bad descriptor; a wait fails only when interrupted.
      if (type !== F_UNLCK && !wait && this.byteLocked(fd, at, type)) return false;
      if (type === F_UNLCK) break;
    }
    throw new ScifError("ENODEV", `fcntl(F_OFD_SETLK) on descriptor ${fd} failed (errno ${this.errno()})`);
  }

  /** Whether someone other than `fd`'s open file description holds a lock on the byte at
   * `at` that conflicts with `type` (F_WRLCK: any lock; F_RDLCK: a write lock). */
  byteLocked(fd: number, at: number, type: number): boolean {
    const fl = flock(type, at);
    if (this.fn.fcntl(fd, F_OFD_GETLK, fl) !== 0) {
      throw new ScifError("ENODEV", `fcntl(F_OFD_GETLK) failed with errno ${this.errno()}`);
    }
    return new DataView(fl.buffer).getInt16(0, true) !== F_UNLCK;
  }
}

/** struct flock (x86-64: l_type@0 s16, l_whence@2 s16, l_start@8 s64, l_len@16 s64, l_pid@24)
 * for one byte at `at`. */
function flock(type: number, at: number): Uint8Array {
  const b = new Uint8Array(32);
  const v = new DataView(b.buffer);
  v.setInt16(0, type, true);
  v.setInt16(2, 0, true); // SEEK_SET
  v.setBigInt64(8, BigInt(at), true);
  v.setBigInt64(16, 1n, true);
  return b;
}

/** struct stat (x86-64): st_mode@24 u32, st_uid@28 u32, st_size@48 s64. */
function parseStat(b: Uint8Array): FileStat {
  const v = new DataView(b.buffer);
  return { mode: v.getUint32(24, true), uid: v.getUint32(28, true), size: Number(v.getBigInt64(48, true)) };
}

/** A NUL-terminated string for C. */
export function cString(s: string): Uint8Array {
  return new TextEncoder().encode(`${s}\0`);
}

let lib: Libc | undefined;

/** This thread's libc (opened once). */
export function libc(): Libc {
  return lib ??= new Libc();
}
