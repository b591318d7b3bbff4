// The two kinds of side a lab (lab/mod.ts) drives: a Worker (Hand) or a process of its own
// (ProcessHand). Either runs lab/_side.ts's commands one at a time, in order, and answers each
// with a "result" message, after any "ready" message the command sends on the way.
import type { LabCommand } from "./_side.ts";

/** One side of the lab, with its commands as calls. */
export interface Side {
  /** Sends `c`; resolves to its result; `ready` resolves at the side's "ready". */
  send<T>(
    c: LabCommand,
    transfer?: Transferable[],
  ): { result: Promise<T>; ready: Promise<{ port?: number }> };
  /** Ends the side (after its "close" command). */
  end(): void;
}

/** One lab Worker. */
export class Hand implements Side {
  readonly worker: Worker;
  #ready: (() => void) | null = null;
  #result: ((v: unknown) => void) | null = null;
  #readyData: { port?: number } = {};

  constructor(script: URL | string) {
    this.worker = new Worker(script, { type: "module" });
    this.worker.onmessage = (e) => {
      if (e.data.ready) {
        this.#readyData = e.data;
        this.#ready?.();
      } else this.#result?.(e.data.result);
    };
    this.worker.onerror = (e) => {
      throw new Error(`lab worker: ${e.message}`);
    };
  }

  /** Sends `c`; resolves to its result; `onReady` resolves at the Worker's "ready". */
  send<T>(
    c: LabCommand,
    transfer: Transferable[] = [],
  ): { result: Promise<T>; ready: Promise<{ port?: number }> } {
    const ready = new Promise<{ port?: number }>((r) => (this.#ready = () => r(this.#readyData)));
    const result = new Promise<T>((r) => (this.#result = r as (v: unknown) => void));
    this.worker.postMessage(c, transfer);
    return { result, ready };
  }

  end(): void {
    this.worker.terminate();
  }
}

/** One lab process (lab/_process.ts), on the machine's network in `dir`. */
export class ProcessHand implements Side {
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  #ready: (() => void) | null = null;
  #result: ((v: unknown) => void) | null = null;
  #readyData: { port?: number } = {};

  constructor(dir: string, node: number) {
    const child = new Deno.Command(Deno.execPath(), {
      // No config: the process imports only the library, and a config's lock would install its
      // npm packages first.
      args: ["run", "-A", "--no-config", new URL("./_process.ts", import.meta.url).pathname],
      env: { SCIF_EMU_DIR: dir, SCIF_NODE: String(node) },
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#child = child;
    this.#writer = child.stdin.getWriter();
    (async () => {
      let rest = "";
      for await (const text of child.stdout.pipeThrough(new TextDecoderStream())) {
        rest += text;
        let nl;
        while ((nl = rest.indexOf("\n")) >= 0) {
          const m = JSON.parse(rest.slice(0, nl));
          rest = rest.slice(nl + 1);
          if (m.ready) {
            this.#readyData = m;
            this.#ready?.();
          } else this.#result?.(m.result);
        }
      }
    })();
  }

  send<T>(c: LabCommand): { result: Promise<T>; ready: Promise<{ port?: number }> } {
    const ready = new Promise<{ port?: number }>((r) => (this.#ready = () => r(this.#readyData)));
    const result = new Promise<T>((r) => (this.#result = r as (v: unknown) => void));
    this.#writer.write(new TextEncoder().encode(`${JSON.stringify(c)}\n`));
    return { result, ready };
  }

  end(): void {
    this.#writer.close().catch(() => {});
  }

  /** Resolves once the process has exited. */
  get status(): Promise<unknown> {
    return this.#child.status;
  }
}
