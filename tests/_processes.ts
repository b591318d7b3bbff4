// Nodes in separate processes on the machine's emulated network, driven like Worker nodes
// (tests/_cluster.ts's NodeWorker over stdin/stdout; tests/_process_node.ts is the process).
import { type NodeTransport, NodeWorker } from "./_cluster.ts";

const NODE = new URL("./_process_node.ts", import.meta.url).pathname;

/** A group of node processes sharing one rendezvous directory (and, optionally, TCP links). */
export class Processes {
  readonly dir: string;
  readonly nodes: NodeWorker[] = [];
  readonly #children: Deno.ChildProcess[] = [];

  private constructor(dir: string) {
    this.dir = dir;
  }

  static async create(): Promise<Processes> {
    return new Processes(await Deno.makeTempDir({ prefix: "scif-emu-test-" }));
  }

  /** Starts a `deno` process that joins the network; `env` adds to SCIF_EMU_DIR. */
  async spawn(env: Record<string, string> = {}): Promise<NodeWorker> {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", NODE],
      env: { SCIF_EMU_DIR: this.dir, ...env },
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#children.push(child);
    const node = await NodeWorker.over(processTransport(child), { backend: "machine" }, -1);
    this.nodes.push(node);
    return node;
  }

  /** kill -9 of a node's process. */
  kill(node: NodeWorker): void {
    node.terminate();
  }

  async close(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.close()));
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
