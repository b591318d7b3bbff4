// The soak of tests/soak_test.ts, in a process of its own so that its memory is its own:
// connect/close cycles and open/close cycles on a network of threads, RSS printed as it goes.
import { createNetwork } from "../mod.ts";

const [what, total] = [Deno.args[0], Number(Deno.args[1])];
const net = await createNetwork({ nodes: 2, ringBytes: 4096 });
const [a, b] = [await net.node(0), await net.node(1)];
const l = b.open();
l.bind(2000);
l.listen(64);
const rss = () => Deno.memoryUsage().rss;
const marks: number[] = [];
const every = total / 10;
for (let i = 1; i <= total; i++) {
  if (what === "connect") {
    const c = a.open();
    const [{ endpoint }] = await Promise.all([l.accept(), c.connect({ node: 1, port: 2000 })]);
    c.close();
    endpoint.close();
  } else {
    const ep = a.open();
    if (i % 2) ep.bind(0);
    ep.close();
  }
  if (i % every === 0) {
    // deno-lint-ignore no-explicit-any
    (globalThis as any).gc?.();
    await new Promise((r) => setTimeout(r, 0));
    marks.push(Deno.env.get("HEAP") ? Deno.memoryUsage().heapUsed : rss());
  }
}
console.log(JSON.stringify({ marks, heapBytes: net.memoryInUse() }));
await net.close();
