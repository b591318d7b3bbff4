// Plain-text tables for the demo: columns padded to their widest cell.

import type { NodeStats } from "../mod.ts";

/** Renders rows (the first is the header) as aligned text; numbers right-aligned. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  const numeric = (s: string) => /^[\d.]+[x]?$/.test(s);
  return rows.map((r) =>
    r.map((cell, c) => numeric(cell) ? cell.padStart(widths[c]) : cell.padEnd(widths[c])).join("  ").trimEnd()
  )
    .join("\n");
}

/** A count of bytes for a table: B, KB, MB, GB (powers of 1000, three digits). */
export function bytesLabel(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = n / 1000;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toPrecision(3)} ${units[u]}`;
}

/** The statistics table that ends the demo: one row per node of each part, from its totals. */
export function statsTable(rows: [string, string, NodeStats][]): string {
  return table([
    [
      "run",
      "node",
      "sent",
      "received",
      "sends",
      "recvs",
      "RMA written",
      "RMA read",
      "RMAs",
      "fences",
      "wake-ups",
      "blocked",
    ],
    ...rows.map(([run, node, s]) => {
      const t = s.totals;
      return [
        run,
        node,
        bytesLabel(t.bytesSent),
        bytesLabel(t.bytesReceived),
        String(t.messagesSent),
        String(t.messagesReceived),
        bytesLabel(t.rmaWriteBytes),
        bytesLabel(t.rmaReadBytes),
        String(t.rmaWrites + t.rmaReads),
        String(t.fenceMarks + t.fenceWaits + t.fenceSignals),
        String(t.wakeups),
        `${t.blockedMs.toFixed(0)} ms`,
      ];
    }),
  ]);
}
