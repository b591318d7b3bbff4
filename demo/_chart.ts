// Charts of the demo: bandwidth against transfer size, log-scale x, as text for the terminal and
// as an SVG a person would rather look at.

/** One line of the chart. */
export interface Series {
  name: string;
  /** One character for the terminal chart. */
  mark: string;
  color: string;
  dashed?: boolean;
  /** GB/s per size. */
  values: number[];
}

/** A size as people write it: 1 KiB, 64 MiB. */
export function sizeLabel(bytes: number): string {
  for (const [unit, n] of [["GiB", 2 ** 30], ["MiB", 2 ** 20], ["KiB", 2 ** 10]] as const) {
    if (bytes >= n) return `${+(bytes / n).toFixed(1)} ${unit}`;
  }
  return `${bytes} B`;
}

/** A text chart of `series` over `sizes` (log x), `width` by `height` characters of plot. */
export function terminalChart(sizes: number[], series: Series[], width = 64, height = 16): string {
  const top = niceMax(Math.max(...series.flatMap((s) => s.values)));
  const grid = Array.from({ length: height }, () => Array(width).fill(" "));
  const x = (i: number) => Math.round((i / (sizes.length - 1)) * (width - 1));
  const y = (v: number) => height - 1 - Math.round((Math.min(v, top) / top) * (height - 1));
  for (const s of series) {
    for (let i = 0; i < sizes.length; i++) {
      grid[y(s.values[i])][x(i)] = s.mark;
      // Dots between points, so a line can be followed.
      if (i + 1 < sizes.length) {
        for (let c = x(i) + 1; c < x(i + 1); c++) {
          const t = (c - x(i)) / (x(i + 1) - x(i));
          const r = y(s.values[i] + t * (s.values[i + 1] - s.values[i]));
          if (grid[r][c] === " ") grid[r][c] = "·";
        }
      }
    }
  }
  const lines: string[] = [];
  for (let r = 0; r < height; r++) {
    const v = (top * (height - 1 - r)) / (height - 1);
    const label = r % 3 === 0 ? v.toFixed(v >= 10 ? 0 : 1).padStart(5) : "     ";
    lines.push(`${label} ┤${grid[r].join("")}`);
  }
  lines.push(`      └${"─".repeat(width)}`);
  const axis = Array(width + 8).fill(" ");
  for (const i of [0, Math.floor((sizes.length - 1) / 2), sizes.length - 1]) {
    const text = sizeLabel(sizes[i]);
    const at = Math.min(Math.max(7 + x(i) - Math.floor(text.length / 2), 0), width + 8 - text.length);
    for (let k = 0; k < text.length; k++) axis[at + k] = text[k];
  }
  lines.push(axis.join("").trimEnd());
  lines.push(
    `  GB/s against transfer size (log scale).  ${series.map((s) => `${s.mark} ${s.name}`).join("   ")}`,
  );
  return lines.join("\n");
}

/** A round upper bound for an axis: 1, 2 or 5 times a power of ten. */
function niceMax(v: number): number {
  const p = 10 ** Math.floor(Math.log10(Math.max(v, 1e-9)));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** An SVG chart: lines with markers, log-x axis labelled by size, a legend, notes under it. */
export function svgChart(
  options: { title: string; subtitle: string; sizes: number[]; series: Series[]; notes: string[] },
): string {
  const { sizes, series } = options;
  const W = 960;
  const plot = { left: 80, top: 90, width: 640, height: 380 };
  const H = plot.top + plot.height + 80 + 18 * options.notes.length;
  const top = niceMax(Math.max(...series.flatMap((s) => s.values)));
  const lx = (i: number) => plot.left + (i / (sizes.length - 1)) * plot.width;
  const ly = (v: number) => plot.top + plot.height - (Math.min(v, top) / top) * plot.height;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="system-ui, sans-serif">`,
  );
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(
    `<text x="${plot.left}" y="36" font-size="20" font-weight="600" fill="#1b1f24">${
      esc(options.title)
    }</text>`,
  );
  out.push(`<text x="${plot.left}" y="60" font-size="13" fill="#57606a">${esc(options.subtitle)}</text>`);
  // Grid and y labels.
  for (let k = 0; k <= 5; k++) {
    const v = (top * k) / 5;
    const y = ly(v);
    out.push(`<line x1="${plot.left}" y1="${y}" x2="${plot.left + plot.width}" y2="${y}" stroke="#eaeef2"/>`);
    out.push(
      `<text x="${plot.left - 10}" y="${y + 4}" font-size="12" text-anchor="end" fill="#57606a">${+v.toFixed(
        1,
      )}</text>`,
    );
  }
  sizes.forEach((s, i) => {
    const x = lx(i);
    out.push(`<line x1="${x}" y1="${plot.top}" x2="${x}" y2="${plot.top + plot.height}" stroke="#f3f5f7"/>`);
    if (i % 2 === 0 || sizes.length <= 10) {
      out.push(
        `<text x="${x}" y="${
          plot.top + plot.height + 20
        }" font-size="12" text-anchor="middle" fill="#57606a">${esc(sizeLabel(s))}</text>`,
      );
    }
  });
  out.push(
    `<rect x="${plot.left}" y="${plot.top}" width="${plot.width}" height="${plot.height}" fill="none" stroke="#8c959f"/>`,
  );
  out.push(
    `<text x="${plot.left + plot.width / 2}" y="${
      plot.top + plot.height + 44
    }" font-size="13" text-anchor="middle" fill="#1b1f24">transfer size (log scale)</text>`,
  );
  out.push(
    `<text transform="translate(26 ${
      plot.top + plot.height / 2
    }) rotate(-90)" font-size="13" text-anchor="middle" fill="#1b1f24">GB/s</text>`,
  );
  // Lines.
  for (const s of series) {
    const pts = s.values.map((v, i) => `${lx(i).toFixed(1)},${ly(v).toFixed(1)}`).join(" ");
    out.push(
      `<polyline points="${pts}" fill="none" stroke="${s.color}" stroke-width="2.5"${
        s.dashed ? ' stroke-dasharray="7 5"' : ""
      } stroke-linejoin="round"/>`,
    );
    if (!s.dashed) {
      s.values.forEach((v, i) =>
        out.push(`<circle cx="${lx(i).toFixed(1)}" cy="${ly(v).toFixed(1)}" r="3" fill="${s.color}"/>`)
      );
    }
  }
  // Legend.
  const legendX = plot.left + plot.width + 24;
  series.forEach((s, k) => {
    const y = plot.top + 14 + k * 26;
    out.push(
      `<line x1="${legendX}" y1="${y}" x2="${legendX + 28}" y2="${y}" stroke="${s.color}" stroke-width="3"${
        s.dashed ? ' stroke-dasharray="7 5"' : ""
      }/>`,
    );
    out.push(`<text x="${legendX + 36}" y="${y + 4}" font-size="13" fill="#1b1f24">${esc(s.name)}</text>`);
  });
  options.notes.forEach((n, k) => {
    out.push(
      `<text x="${plot.left}" y="${plot.top + plot.height + 72 + 18 * k}" font-size="12.5" fill="#424a53">${
        esc(n)
      }</text>`,
    );
  });
  out.push("</svg>");
  return out.join("\n");
}
