/**
 * The demo (`deno task demo`): a host node and two card nodes in Workers on an emulated SCIF
 * network. They enumerate the nodes, connect, and exchange messages; then the demo measures
 * the 8-byte round trip and the stream bandwidth beside the raw limits of this machine,
 * measured in the same run.
 *
 * ```sh
 * deno task demo
 * deno run -A demo/main.ts --quick
 * ```
 *
 * @module
 */
import { parseArgs } from "@std/cli/parse-args";
import { createNetwork, type ScifNode } from "../mod.ts";
import { recvMessage, sendMessage } from "./_messages.ts";
import { table } from "./_table.ts";
import { format } from "@std/fmt/bytes";
import {
  alternate,
  mappedRoundTripUs,
  memcpyGBps,
  rawRoundTripUs,
  rmaFigures,
  scifRoundTripUs,
  streamGBps,
} from "../bench/_measure.ts";

const args = parseArgs(Deno.args, { boolean: ["quick"] });

function card(): Worker {
  return new Worker(new URL("./_card.ts", import.meta.url), { type: "module" });
}

function next<T>(w: Worker, type: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (e: MessageEvent) => {
      if (e.data.type !== type) return;
      w.removeEventListener("message", on);
      resolve(e.data);
    };
    w.addEventListener("message", on);
  });
}

async function talk(host: ScifNode, node: number, text: string): Promise<string> {
  const ep = host.open();
  await ep.connect({ node, port: 2000 });
  await sendMessage(ep, text);
  const reply = await recvMessage(ep);
  ep.close();
  return reply;
}

console.log("scif demo: an emulated SCIF network of a host and two cards (Workers)\n");
const net = await createNetwork({ nodes: 3 });
const host = await net.node(0);
const cards = [card(), card()];
await Promise.all(cards.map((w, i) => {
  const ready = next(w, "ready");
  w.postMessage({ type: "attach", handle: net.handle(i + 1) });
  return ready;
}));

const { nodes, self } = host.getNodeIds();
console.log("node  role  runs in       online");
for (const id of nodes) {
  console.log(
    `${String(id).padEnd(4)}  ${id === 0 ? "host" : "card"}  ${
      id === self ? "main thread" : "Worker     "
    }   yes`,
  );
}
console.log(`(getNodeIds on the host: nodes [${nodes.join(", ")}], self ${self})\n`);

for (const id of [1, 2]) {
  console.log(`host -> card ${id}: ${await talk(host, id, `hello card ${id}, this is the host`)}`);
}
const reply = next<{ text: string }>(cards[0], "reply");
cards[0].postMessage({ type: "greet", card: 2 });
console.log(`card 1 -> card 2: ${(await reply).text}\n`);

await host.close();
cards.forEach((w) => w.terminate());
await net.close();

const quick = args.quick;
const iters = quick ? 200_000 : 600_000;
const runs = quick ? 3 : 5;
const mib = 64;
const passes = quick ? 2 : 4;
console.log(`measuring (median of ${runs}; each figure alternated with its raw limit in this run) ...\n`);
const [raw, rt] = await alternate(runs, () => rawRoundTripUs(iters), () => scifRoundTripUs(iters));
const [raw2, mapped] = await alternate(runs, () => rawRoundTripUs(iters), () => mappedRoundTripUs(iters, 1));
const [copy, stream] = await alternate(
  runs,
  () => memcpyGBps(mib << 20, 65536, passes),
  () => streamGBps(mib << 20, 65536, passes),
);
const x = (r: number) => `${r.toFixed(2)}x`;
console.log(table([
  ["path", "figure", "raw limit", "", "ratio", "goal"],
  [
    "8-byte round trip, send + recv",
    `${rt.toFixed(3)} us`,
    `${raw.toFixed(3)} us`,
    "Atomics ping-pong",
    x(rt / raw),
    "<= 2.5x",
  ],
  [
    "8-byte round trip, mmap'd windows",
    `${mapped.toFixed(3)} us`,
    `${raw2.toFixed(3)} us`,
    "Atomics ping-pong",
    x(mapped / raw2),
    "<= 1.2x",
  ],
  [
    "stream, 64 KiB sends",
    `${stream.toFixed(2)} GB/s`,
    `${copy.toFixed(2)} GB/s`,
    "memcpy",
    (stream / copy).toFixed(2),
    ">= 0.5",
  ],
]));

const sizes = [4 << 10, 64 << 10, 1 << 20, 16 << 20, 64 << 20];
console.log(
  "\nRMA between the two Workers (SCIF_RMA_SYNC), beside TypedArray.prototype.set of the same bytes:\n",
);
const rma = await rmaFigures(sizes, quick ? 100 : 250);
const g = (v: number) => v.toFixed(2);
console.log(table([
  ["size", "writeTo GB/s", "memcpy GB/s", "ratio", "readFrom GB/s", "memcpy GB/s", "ratio"],
  ...sizes.map((size, i) => [
    format(size, { binary: true }),
    g(rma.writeTo[i]),
    g(rma.setTo[i]),
    g(rma.writeTo[i] / rma.setTo[i]),
    g(rma.readFrom[i]),
    g(rma.setFrom[i]),
    g(rma.readFrom[i] / rma.setFrom[i]),
  ]),
]));
console.log("(goal from 1 MiB up: ratio >= 0.85)");
