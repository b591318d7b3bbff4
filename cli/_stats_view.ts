// What `scif stats` prints: the node table (every program attached to each node, summed),
// the programs (the slot table's lines), and this command's own endpoints; or all of it as
// JSON. The sums come from what each program published in the network's shared memory,
// checked when read (emu/_node_stats.ts); on hardware only this command's own calls count.
import type { NodeStats, ScifNode, SlotStats } from "../mod.ts";

/** Aligned columns, numbers right-aligned. */
function columns(rows: string[][]): string {
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  const numeric = (s: string) => /^\d+$/.test(s);
  return rows.map((r) => r.map((x, c) => numeric(x) ? x.padStart(w[c]) : x.padEnd(w[c])).join("  ").trimEnd())
    .join("\n");
}

/** What `scif stats --json` prints: the node's statistics, with the nodes online and, per
 * node, the sums of its programs' lines. */
export function statsJson(
  s: NodeStats,
  info: { nodes: number[]; backend: string; network: string },
): Record<string, unknown> {
  return { ...info, self: s.node, perNode: perNode(s.slots, info.nodes), ...s };
}

/** A node's programs' slot lines summed. */
type NodeSums = Omit<SlotStats, "slot" | "pid" | "self"> & { programs: number };

/** The slots' lines summed per node, for every node online. */
function perNode(slots: SlotStats[], nodes: number[]): NodeSums[] {
  return nodes.map((node) => {
    const sum: NodeSums = {
      node,
      programs: 0,
      endpoints: 0,
      bytesSent: 0,
      bytesReceived: 0,
      messagesSent: 0,
      messagesReceived: 0,
      rmaBytes: 0,
      droppedMessages: 0,
    };
    for (const s of slots.filter((s) => s.node === node)) {
      sum.programs++;
      sum.endpoints += s.endpoints;
      sum.bytesSent += s.bytesSent;
      sum.bytesReceived += s.bytesReceived;
      sum.messagesSent += s.messagesSent;
      sum.messagesReceived += s.messagesReceived;
      sum.rmaBytes += s.rmaBytes;
      sum.droppedMessages += s.droppedMessages;
    }
    return sum;
  });
}

/** The tables `scif stats` prints. */
export function statsText(
  s: NodeStats,
  info: { nodes: number[]; backend: string; network: string },
): string {
  const parts: string[] = [];
  const n = (v: number) => String(v);
  if (s.slots.length > 0) {
    parts.push(columns([
      ["NODE", "PROGRAMS", "ENDPOINTS", "BYTES-SENT", "BYTES-RECV", "SENDS", "RECVS", "RMA-BYTES", "DROPPED"],
      ...perNode(s.slots, info.nodes).map((x) => [
        n(x.node),
        n(x.programs),
        n(x.endpoints),
        n(x.bytesSent),
        n(x.bytesReceived),
        n(x.messagesSent),
        n(x.messagesReceived),
        n(x.rmaBytes),
        n(x.droppedMessages),
      ]),
    ]));
    parts.push(columns([
      [
        "SLOT",
        "NODE",
        "PID",
        "ENDPOINTS",
        "BYTES-SENT",
        "BYTES-RECV",
        "SENDS",
        "RECVS",
        "RMA-BYTES",
        "DROPPED",
        "",
      ],
      ...s.slots.map((x) => [
        n(x.slot),
        n(x.node),
        n(x.pid),
        n(x.endpoints),
        n(x.bytesSent),
        n(x.bytesReceived),
        n(x.messagesSent),
        n(x.messagesReceived),
        n(x.rmaBytes),
        n(x.droppedMessages),
        x.self ? "this command" : "",
      ]),
    ]));
  } else {
    parts.push(
      `node ${s.node} (${info.network}): the driver's own counters are in its debugfs; ` +
        `this command counts only its own calls`,
    );
  }
  if (s.endpoints.length > 0) {
    parts.push(columns([
      [
        "PORT",
        "STATE",
        "PEER",
        "BYTES-SENT",
        "BYTES-RECV",
        "SENDS",
        "RECVS",
        "RMA-WRITE",
        "RMA-READ",
        "FENCES",
      ],
      ...s.endpoints.map((e) => [
        e.port === null ? "-" : n(e.port),
        e.state,
        e.peer ? `${e.peer.node}:${e.peer.port}` : "-",
        n(e.bytesSent),
        n(e.bytesReceived),
        n(e.messagesSent),
        n(e.messagesReceived),
        n(e.rmaWriteBytes),
        n(e.rmaReadBytes),
        n(e.fenceMarks + e.fenceWaits + e.fenceSignals),
      ]),
    ]));
  }
  return parts.join("\n\n");
}

/** Prints `node`'s statistics once, or with `everyMs` every so often `count` times (default:
 * until interrupted): on a terminal the table is redrawn in place; otherwise (and with
 * `json`, one JSON document per line) each refresh is printed after the last. */
export async function showStats(
  node: ScifNode,
  o: { json: boolean; everyMs?: number; count: number; terminal: boolean; write: (s: string) => void },
): Promise<void> {
  const info = { nodes: [] as number[], backend: node.backend, network: node.network };
  for (let i = 0; i < o.count; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, o.everyMs));
    info.nodes = node.getNodeIds().nodes;
    const s = node.stats();
    if (o.json) o.write(JSON.stringify(statsJson(s, info)));
    else {
      const text = statsText(s, info);
      if (o.everyMs === undefined) o.write(text);
      else if (o.terminal) {
        o.write(`\x1b[H\x1b[2J${new Date().toISOString()}  (every ${o.everyMs} ms)\n\n${text}`);
      } else o.write(`${i > 0 ? "\n" : ""}${new Date().toISOString()}\n${text}`);
    }
  }
}
