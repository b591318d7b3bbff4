/**
 * A host and a card on an emulated SCIF network: the card runs in a Worker (examples/card.ts),
 * listens on port 2000 and answers; the host connects, sends a greeting, reads the answer,
 * then times 100,000 ping-pongs of 8 bytes. Imports the library relative to itself, so it runs
 * from a checkout or by URL:
 *
 * ```sh
 * deno run --allow-read examples/ping_pong.ts
 * deno run --allow-import=127.0.0.1:8000 http://127.0.0.1:8000/examples/ping_pong.ts   # deno task serve
 * ```
 *
 * @module
 */
import { createNetwork } from "../mod.ts";

const net = await createNetwork({ nodes: 2, memoryBytes: 16 << 20 });
const host = await net.node(0);
const card = new Worker(new URL("./card.ts", import.meta.url), { type: "module" });
await new Promise<void>((resolve) => {
  card.onmessage = () => resolve();
  card.postMessage(net.handle(1));
});

const ep = host.open();
await ep.connect({ node: 1, port: 2000 });
await ep.send(new TextEncoder().encode("hello card"));
const reply = new Uint8Array(13);
await ep.recv(reply);
console.log(`host got: ${new TextDecoder().decode(reply)}`);

const ping = new Uint8Array(8);
const t0 = performance.now();
for (let i = 0; i < 100_000; i++) {
  await ep.send(ping);
  await ep.recv(ping);
}
console.log(`100000 round trips of 8 bytes: ${((performance.now() - t0) * 10).toFixed(0)} ns each`);
ep.close();
card.terminate();
await host.close();
await net.close();
