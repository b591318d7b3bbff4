// The simulated /dev/scif of the tests (tests/fixtures/scif_sim.c): a shared library with the
// libc symbols the hardware backend calls, built on demand with the system C compiler, and its
// control functions (nodes coming and going) for the test thread.

const root = new URL("../", import.meta.url);
const source = new URL("tests/fixtures/scif_sim.c", root).pathname;
/** Where the built library goes. */
export const SIM_LIBRARY = new URL("out/libscifsim.so", root).pathname;

let built: Promise<void> | undefined;

/** Builds the simulator unless an up-to-date build exists. */
export function buildSimulator(): Promise<void> {
  return built ??= (async () => {
    const src = await Deno.stat(source);
    const lib = await Deno.stat(SIM_LIBRARY).catch(() => null);
    if (lib && lib.mtime! >= src.mtime!) return;
    await Deno.mkdir(new URL("out/", root), { recursive: true });
    const cc = Deno.env.get("CC") ?? "cc";
    const args = ["-shared", "-fPIC", "-O2", "-pthread", "-Wall", "-o", SIM_LIBRARY, source, "-ldl"];
    const { code, stderr } = await new Deno.Command(cc, { args, stderr: "piped" }).output();
    if (code !== 0) throw new Error(`${cc} ${args.join(" ")} failed:\n${new TextDecoder().decode(stderr)}`);
  })();
}

const CONTROL = {
  scifsim_reset: { parameters: [], result: "i32" },
  scifsim_node_add: { parameters: ["i32"], result: "i32" },
  scifsim_node_remove: { parameters: ["i32"], result: "i32" },
  scifsim_bench_sendrecv: { parameters: ["i32", "i32", "i32"], result: "f64" },
} as const;

/** The simulator, controlled from this thread; its device files live in a directory of their own. */
export class SimDevice {
  readonly library = SIM_LIBRARY;
  readonly dir: string;
  readonly #lib: Deno.DynamicLibrary<typeof CONTROL>;

  private constructor(dir: string) {
    this.dir = dir;
    this.#lib = Deno.dlopen(SIM_LIBRARY, CONTROL);
    this.#lib.symbols.scifsim_reset();
  }

  /** Builds and loads the simulator, with every node offline. */
  static async open(): Promise<SimDevice> {
    await buildSimulator();
    return new SimDevice(await Deno.makeTempDir({ prefix: "scifsim-" }));
  }

  /** The device path of node `node` (the simulator reads the node from the name). */
  device(node: number): string {
    return `${this.dir}/scif${node === 0 ? "" : node}`;
  }

  /** Node `node` comes online; its device path exists from then on. */
  add(node: number): void {
    Deno.writeTextFileSync(this.device(node), "");
    if (this.#lib.symbols.scifsim_node_add(node) !== 0) throw new Error(`scifsim_node_add(${node}) failed`);
  }

  /** Node `node` is lost, as a card that goes away. */
  remove(node: number): void {
    this.#lib.symbols.scifsim_node_remove(node);
  }

  /** The simulator's own loop of non-blocking 8-byte send + recv on two connected descriptors,
   * in C: nanoseconds per iteration. */
  benchSendRecv(fdA: number, fdB: number, iters: number): number {
    return this.#lib.symbols.scifsim_bench_sendrecv(fdA, fdB, iters);
  }

  close(): void {
    this.#lib.symbols.scifsim_reset();
    this.#lib.close();
    Deno.removeSync(this.dir, { recursive: true });
  }
}
