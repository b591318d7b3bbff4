// Nodes in separate processes on the machine's emulated network, driven like Worker nodes
// (tests/_cluster.ts's NodeWorker over stdin/stdout; tests/_process_node.ts is the process).
import { type NodeTransport, NodeWorker } from "./_node_handle.ts";

const NODE = new URL("./_process_node.ts", import.meta.url).pathname;
/** How long a node process may take to start and attach (it compiles the test's modules). */
const ATTACH_MS = 60_000;

/** A group of node processes sharing one rendezvous directory (and, optionally, TCP links). */
export class Processes {
  readonly dir: string;
  readonly nodes: NodeWorker[] = [];
  readonly #children: Deno.ChildProcess[] = [];
  readonly #env: Record<string, string>;

  private constructor(dir: string, env: Record<string, string>) {
    this.dir = dir;
    this.#env = env;
  }

  /** A new rendezvous directory (made 0700); `env` is given to every process. */
  static async create(env: Record<string, string> = {}): Promise<Processes> {
    return new Processes(await Deno.makeTempDir({ prefix: "scif-emu-test-" }), env);
  }

  /** Starts a `deno` process that joins the network (SCIF_NODE in `env` says which node);
   * `env` adds to SCIF_EMU_DIR and the group's. `flags`: the permissions (default -A). */
  async spawn(env: Record<string, string> = {}, flags = ["-A"]): Promise<NodeWorker> {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", ...flags, NODE],
      env: { SCIF_EMU_DIR: this.dir, ...this.#env, ...env },
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#children.push(child);
    const transport = processTransport(child);
    // A process that does not attach is killed (close() would wait for it otherwise).
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        transport.terminate();
        reject(new Error(`a node process (${JSON.stringify(env)}) did not attach within ${ATTACH_MS} ms`));
      }, ATTACH_MS);
    });
    let node: NodeWorker;
    try {
      node = await Promise.race([NodeWorker.over(transport, { backend: "machine" }, -1), late]);
    } finally {
      clearTimeout(timer);
    }
    this.nodes.push(node);
    this.#childOf.set(node, child);
    return node;
  }

  readonly #childOf = new Map<NodeWorker, Deno.ChildProcess>();

  /** The process id of a node's process. */
  pidOf(node: NodeWorker): number {
    return this.#childOf.get(node)!.pid;
  }

  /** kill -9 of a node's process; resolves once the process is gone. */
  async kill(node: NodeWorker): Promise<void> {
    node.terminate();
    await this.#childOf.get(node)?.status;
  }

  /** Closes every node, then kills what is left of their processes (one that never attached,
   * or hangs) and waits for them to end. */
  async close(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.close()));
    for (const c of this.#children) {
      try {
        c.kill("SIGKILL");
      } catch {
        // ended already
      }
    }
    await Promise.all(this.#children.map((c) => c.status));
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

function processTransport(child: Deno.ChildProcess): NodeTransport {
  const writer = child.stdin.getWriter();
  const encoder = new TextEncoder();
  let alive = true;
  return {
    post(m) {
      if (alive) writer.write(encoder.encode(`${JSON.stringify(m)}\n`)).catch(() => {});
    },
    listen(on, onError) {
      (async () => {
        let rest = "";
        for await (const text of child.stdout.pipeThrough(new TextDecoderStream())) {
          rest += text;
          let nl;
          while ((nl = rest.indexOf("\n")) >= 0) {
            on(JSON.parse(rest.slice(0, nl)) as never);
            rest = rest.slice(nl + 1);
          }
        }
        alive = false;
        onError("the process ended");
      })();
    },
    terminate() {
      if (!alive) return;
      alive = false;
      try {
        child.kill("SIGKILL");
      } catch {
        // ended already
      }
      writer.close().catch(() => {});
    },
  };
}
