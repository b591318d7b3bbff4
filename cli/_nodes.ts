// The node commands of `scif` (cli/scif.ts): the node table (`scif nodes`), taking a node down
// and bringing it up (`scif node down|up N`), and the statistics (`scif stats`).

import { machineNetwork } from "../mod.ts";
import { integer, join, type Options, out, UsageError } from "./_args.ts";
import { showStats } from "./_stats_view.ts";

export async function nodes(opt: Options): Promise<void> {
  const node = await join(opt);
  const { nodes, self } = node.getNodeIds();
  // The machine's nodes taken down (scif node down) are listed too, as down.
  const machine = node.network === "machine" ? await machineNetwork() : null;
  const down = machine
    ? [...Array(machine.nodes).keys()].filter((id) => machine.nodeState(id) === "down")
    : [];
  if (opt.json) out(JSON.stringify({ nodes, self, backend: node.backend, ...(machine ? { down } : {}) }));
  else {
    const rows = [
      ["NODE", "ROLE", "STATE", ""],
      ...[...nodes, ...down].sort((a, b) => a - b).map((id) => [
        String(id),
        id === 0 ? "host" : "card",
        down.includes(id) ? "down" : "online",
        id === self ? `this command's (${node.backend})` : "",
      ]),
    ];
    const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    for (const r of rows) out(r.map((x, c) => x.padEnd(w[c])).join("  ").trimEnd());
  }
  await node.close();
}

/** `scif node down N`, `scif node up N`: the machine's network, no node attached. */
export async function hotplug(pos: string[]): Promise<void> {
  const action = pos[0];
  if (action !== "down" && action !== "up") {
    throw new UsageError(`"down" or "up" expected, got ${action ?? "nothing"}`);
  }
  const id = integer(pos[1], "N", 0, 65535);
  const machine = await machineNetwork();
  if (action === "down") await machine.nodeDown(id);
  else await machine.nodeUp(id);
  out(`node ${id}: ${machine.nodeState(id)}`);
}

export async function stats(opt: Options): Promise<void> {
  const watch = opt.watch === undefined
    ? undefined
    : opt.watch === ""
    ? 1000
    : integer(opt.watch, "--watch", 10, 3_600_000);
  const count = opt.count !== undefined
    ? integer(opt.count, "--count", 1, 2 ** 31)
    : watch === undefined
    ? 1
    : Infinity;
  const node = await join(opt);
  try {
    await showStats(node, {
      json: opt.json === true,
      everyMs: watch ?? (count > 1 ? 1000 : undefined),
      count,
      terminal: Deno.stdout.isTerminal(),
      write: out,
    });
  } finally {
    await node.close();
  }
}
