// Plain-text tables for the demo: columns padded to their widest cell.

/** Renders rows (the first is the header) as aligned text; numbers right-aligned. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  const numeric = (s: string) => /^[\d.]+[x]?$/.test(s);
  return rows.map((r) =>
    r.map((cell, c) => numeric(cell) ? cell.padStart(widths[c]) : cell.padEnd(widths[c])).join("  ").trimEnd()
  )
    .join("\n");
}
