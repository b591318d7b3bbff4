// A network memory whose pages are a file's: a WebAssembly memory made as usual (shared,
// initial = maximum) and the file mapped over it with mmap(MAP_SHARED | MAP_FIXED), so that the
// memory's byte address a is the file's offset a. Two things follow:
// - every process that maps the same file under its own memory shares the network (the
//   machine's network, bus/machine.ts), at the speed of memory;
// - any run of the memory's pages can be mapped again elsewhere, so a view over windows whose
//   memory is apart is made by mapping their pages back to back into a reserved range
//   (remote mmap over several windows, as the kernel maps a range page by page).
// Workers of the process share the mapping with no step of their own: a memory posted to a
// Worker is the same backing store.
//
// Only for programs that may use FFI; loaded on demand, never in a browser.

import { ScifError } from "../../errors.ts";
import type { Span } from "./_bus.ts";
import {
  type Libc,
  libc,
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_NORESERVE,
  MAP_PRIVATE,
  MAP_SHARED,
  O_RDWR,
} from "./_libc.ts";
import { PROT_NONE, PROT_READ, PROT_WRITE } from "./_libc.ts";

const PAGE = 4096;

/** A file's pages under a WebAssembly memory. */
export class FileMemory {
  readonly fd: number;
  readonly memory: WebAssembly.Memory;
  /** The memory's address in this process. */
  readonly base: bigint;
  readonly #c: Libc;
  readonly #views = new WeakMap<ArrayBufferLike, { at: Deno.PointerValue; bytes: number }>();

  private constructor(memory: WebAssembly.Memory, fd: number) {
    this.#c = libc();
    this.memory = memory;
    this.fd = fd;
    this.base = Deno.UnsafePointer.value(Deno.UnsafePointer.of(new Uint8Array(memory.buffer)));
  }

  /** Maps `fd`'s first memory.buffer.byteLength bytes over `memory`, which must be fresh
   * (its contents are replaced by the file's). */
  static map(memory: WebAssembly.Memory, fd: number): FileMemory {
    const m = new FileMemory(memory, fd);
    const bytes = memory.buffer.byteLength;
    const at = Deno.UnsafePointer.create(m.base);
    const got = m.#c.fn.mmap(at, BigInt(bytes), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0n);
    if (!Deno.UnsafePointer.equals(got, at)) {
      throw new ScifError(
        "ENOMEM",
        `could not map the network's file under its memory (errno ${m.#c.errno()})`,
      );
    }
    return m;
  }

  /** A fresh memory of `bytes`, backed by a file without a name (a network of threads). */
  static anonymous(bytes: number): FileMemory {
    const c = libc();
    const fd = c.fn.memfd_create(new TextEncoder().encode("scif-emu\0"), 1 /* MFD_CLOEXEC */);
    if (fd < 0) throw new ScifError("ENOMEM", `memfd_create failed (errno ${c.errno()})`);
    if (c.fn.ftruncate(fd, BigInt(bytes)) !== 0) {
      c.fn.close(fd);
      throw new ScifError("ENOMEM", `could not size the network's memory file (errno ${c.errno()})`);
    }
    const pages = bytes / 65536;
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    return FileMemory.map(memory, fd);
  }

  /** A memory another thread of this process mapped (a Worker's view of it). */
  static adopt(memory: WebAssembly.Memory, fd: number): FileMemory {
    return new FileMemory(memory, fd);
  }

  /** The address of byte `addr` of the memory, for a system call. */
  pointer(addr: number): Deno.PointerValue {
    return Deno.UnsafePointer.create(this.base + BigInt(addr));
  }

  /** A view of `spans` (page aligned, in order) back to back, `length` bytes long: their pages
   * mapped one after another into a range reserved for it. */
  mapSpans(spans: readonly Span[], length: number): Uint8Array {
    const c = this.#c;
    const bytes = Math.ceil(length / PAGE) * PAGE;
    const at = c.fn.mmap(null, BigInt(bytes), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0n);
    if (at === null || Deno.UnsafePointer.value(at) === 0xffffffffffffffffn) {
      throw new ScifError("ENOMEM", `no address range of ${bytes} bytes for the mapping`);
    }
    let done = 0;
    for (const s of spans) {
      if (done >= bytes) break;
      const n = Math.min(s.length, bytes - done);
      const to = Deno.UnsafePointer.create(Deno.UnsafePointer.value(at) + BigInt(done));
      const got = c.fn.mmap(
        to,
        BigInt(n),
        PROT_READ | PROT_WRITE,
        MAP_SHARED | MAP_FIXED,
        this.fd,
        BigInt(s.addr),
      );
      if (!Deno.UnsafePointer.equals(got, to)) {
        c.fn.munmap(at, BigInt(bytes));
        throw new ScifError("ENOMEM", `could not map a window's pages (errno ${c.errno()})`);
      }
      done += n;
    }
    const buffer = Deno.UnsafePointerView.getArrayBuffer(at!, length);
    this.#views.set(buffer, { at, bytes });
    return new Uint8Array(buffer);
  }

  /** Ends a view of mapSpans: its buffer is detached (every view of it then has no bytes, so no
   * later store can reach the unmapped range), then the range is unmapped. */
  unmapView(view: Uint8Array): boolean {
    const buffer = view.buffer as ArrayBuffer;
    const m = this.#views.get(buffer);
    if (!m) return false;
    this.#views.delete(buffer);
    buffer.transfer(0);
    this.#c.fn.munmap(m.at, BigInt(m.bytes));
    return true;
  }
}

/** Opens `path` read-write (the machine's network file), or -1 with errno. */
export function openFile(path: string, flags = 0): number {
  return libc().open(path, O_RDWR | flags);
}
