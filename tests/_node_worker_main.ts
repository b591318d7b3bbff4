/// <reference lib="deno.worker" />
// The Worker side of tests/_cluster.ts: attaches one SCIF node and runs scenarios on it.
// tests/_node_worker.ts (Deno) and web/test/node_worker.ts (the browser) start it, each with
// its way of loading a scenario module.
//
// Messages from the test thread:
//   { type: "attach", spec }                         -> { type: "attached", nodeId }
//     spec: { backend: "emu", handle } or { backend: "hw", device, libc } (see _cluster.ts)
//   { type: "run", id, module, scenario, args }      -> { type: "done", id, value } | { type: "failed", id, error }
//   { type: "tell", name, value }                    (delivered to ctx.waitFor(name))
//   { type: "close" }                                -> { type: "closed" }
// and from a scenario: { type: "signal", name, value } (ctx.signal).
import { attachNode, openNode, type ScifNode } from "../mod.ts";
import type { ScenarioContext } from "./_cluster.ts";

let node: ScifNode | undefined;
const mailbox = new Map<string, unknown[]>();
const waiters = new Map<string, ((v: unknown) => void)[]>();

const ctx: ScenarioContext = {
  signal(name: string, value?: unknown) {
    self.postMessage({ type: "signal", name, value });
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

/** Serves the test thread's messages in this Worker; `load` gives a scenario module by URL. */
export function serveNode(load: (module: string) => Promise<Record<string, unknown>>): void {
  self.onmessage = (e: MessageEvent) => onMessage(e, load);
}

async function onMessage(
  e: MessageEvent,
  load: (module: string) => Promise<Record<string, unknown>>,
): Promise<void> {
  const m = e.data;
  switch (m.type) {
    case "attach":
      try {
        node = m.spec.backend === "emu"
          ? await attachNode(m.spec.handle)
          : await openNode({ backend: "hw", device: m.spec.device, libc: m.spec.libc });
        self.postMessage({ type: "attached", nodeId: node.nodeId });
      } catch (err) {
        self.postMessage({ type: "failed", id: -1, error: serialize(err) });
      }
      break;
    case "run":
      try {
        const mod = await load(m.module);
        const fn = mod[m.scenario];
        if (typeof fn !== "function") throw new Error(`no scenario ${m.scenario} in ${m.module}`);
        const value = await fn(node, m.args, ctx);
        self.postMessage({ type: "done", id: m.id, value });
      } catch (err) {
        self.postMessage({ type: "failed", id: m.id, error: serialize(err) });
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
      self.postMessage({ type: "closed" });
      break;
  }
}
