// The soak of tests/soak_test.ts, in a process of its own so that its memory is its own.
// `connect N`: N connections from this thread to a node in a Worker, one byte each way, then
// closed (every call sleeps across threads); `open N`: N endpoints opened and closed, half of
// them bound. Prints the resident set size at every tenth, after a full collection.
import { attachNode, createNetwork, type NetworkHandle } from "../mod.ts";

if ((globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope) {
  // The Worker: node 1, accepting, echoing one byte, closing.
  self.onmessage = async (e: MessageEvent<NetworkHandle>) => {
    const node = await attachNode(e.data);
    const l = node.open();
    l.bind(2000);
    l.listen(64);
    self.postMessage("listening");
    const one = new Uint8Array(1);
    for (;;) {
      const { endpoint } = await l.accept();
      await endpoint.recv(one);
      await endpoint.send(one);
      endpoint.close();
    }
  };
} else {
  const [what, total] = [Deno.args[0], Number(Deno.args[1])];
  const net = await createNetwork({ nodes: 2, ringBytes: 4096 });
  const a = await net.node(0);
  const worker = new Worker(import.meta.url, { type: "module" });
  const listening = new Promise((r) => (worker.onmessage = r));
  worker.postMessage(net.handle(1));
  await listening;
  const marks: number[] = [];
  const every = total / 10;
  const one = new Uint8Array([7]);
  for (let i = 1; i <= total; i++) {
    const ep = a.open();
    if (what === "connect") {
      await ep.connect({ node: 1, port: 2000 });
      await ep.send(one);
      await ep.recv(one);
    } else if (i % 2) ep.bind(0);
    ep.close();
    if (i % every === 0) {
      // deno-lint-ignore no-explicit-any
      (globalThis as any).gc?.();
      await new Promise((r) => setTimeout(r, 0));
      marks.push(Deno.memoryUsage().rss);
    }
  }
  console.log(JSON.stringify({ marks, inUse: net.memoryInUse() }));
  worker.terminate();
  await net.close();
}
