/// <reference lib="deno.worker" />
// The node side of tests/_cluster.ts: attaches one SCIF node and runs scenarios on it.
// tests/_node_worker.ts (a Deno Worker), web/test/node_worker.ts (a Web Worker) and
// tests/_process_node.ts (a process of its own, over stdin/stdout) start it, each with its way
// of loading a scenario module and of carrying messages.
//
// Messages from the test thread:
//   { type: "attach", spec }                         -> { type: "attached", nodeId }
//     spec: { backend: "emu", handle }, { backend: "hw", device, libc } (see _cluster.ts), or
//     { backend: "machine" }: openNode(), the machine's network (tests/_processes.ts)
//   { type: "run", id, module, scenario, args }      -> { type: "done", id, value } | { type: "failed", id, error }
//   { type: "tell", name, value }                    (delivered to ctx.waitFor(name))
//   { type: "close" }                                -> { type: "closed" }
// and from a scenario: { type: "signal", name, value } (ctx.signal).
import { attachNode, openNode, type ScifNode } from "../mod.ts";
import type { ScenarioContext } from "./_node_handle.ts";

let node: ScifNode | undefined;
/** How messages go to the test: postMessage in a Worker, a line of JSON from a process. */
let post: (m: unknown) => void = (m) => self.postMessage(m);
const mailbox = new Map<string, unknown[]>();
const waiters = new Map<string, ((v: unknown) => void)[]>();

const ctx: ScenarioContext = {
  signal(name: string, value?: unknown) {
    post({ type: "signal", name, value });
  },
  waitFor<T>(name: string): Promise<T> {
    const box = mailbox.get(name);
    if (box?.length) return Promise.resolve(box.shift() as T);
    return new Promise((resolve) => {
      const list = waiters.get(name) ?? [];
      list.push(resolve as (v: unknown) => void);
      waiters.set(name, list);
    });
  },
};

function serialize(e: unknown) {
  if (e instanceof Error) {
    const x = e as Error & { code?: string; errno?: number };
    return { name: x.name, message: x.message, code: x.code, errno: x.errno, stack: x.stack };
  }
  return { name: "Error", message: String(e) };
}

/** Serves the test's messages; `load` gives a scenario module by URL. By default they are this
 * Worker's; `channel` carries them otherwise (its listen calls back per message). */
export function serveNode(
  load: (module: string) => Promise<Record<string, unknown>>,
  channel?: { post(m: unknown): void; listen(on: (m: unknown) => void): void },
): void {
  if (channel) {
    post = (m) => channel.post(m);
    channel.listen((m) => onMessage(m, load));
  } else self.onmessage = (e: MessageEvent) => onMessage(e.data, load);
}

// deno-lint-ignore no-explicit-any
async function onMessage(m: any, load: (module: string) => Promise<Record<string, unknown>>): Promise<void> {
  switch (m.type) {
    case "attach":
      try {
        node = m.spec.backend === "emu"
          ? await attachNode(m.spec.handle)
          : m.spec.backend === "machine"
          ? await openNode()
          : await openNode({ backend: "hw", device: m.spec.device, libc: m.spec.libc });
        post({ type: "attached", nodeId: node.nodeId });
      } catch (err) {
        post({ type: "failed", id: -1, error: serialize(err) });
      }
      break;
    case "run":
      try {
        const mod = await load(m.module);
        const fn = mod[m.scenario];
        if (typeof fn !== "function") throw new Error(`no scenario ${m.scenario} in ${m.module}`);
        const value = await fn(node, m.args, ctx);
        post({ type: "done", id: m.id, value });
      } catch (err) {
        post({ type: "failed", id: m.id, error: serialize(err) });
      }
      break;
    case "tell": {
      const list = waiters.get(m.name);
      if (list?.length) list.shift()!(m.value);
      else mailbox.set(m.name, [...(mailbox.get(m.name) ?? []), m.value]);
      break;
    }
    case "close":
      await node?.close();
      post({ type: "closed" });
      break;
  }
}
