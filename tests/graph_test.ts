// No import circles: the module graph of every entry point of the repository (each .ts file
// outside core-as/, which is AssemblyScript built by asc, and outside node_modules, out/ and
// web/dist) as `deno info --json` resolves it, with static, type-only and dynamic imports
// alike, has no strongly connected component among the repository's own files. Files share
// declarations through a module both import (as the kernel's scif_main.h), never each other.

import { assert, assertEquals } from "@std/assert";

const ROOT = new URL("../", import.meta.url);
const SKIP = new Set(["core-as", "node_modules", "out", "dist", ".git"]);

/** Every .ts file under `dir`, by the nearest deno.json above it (the config it resolves with). */
async function entries(
  dir: URL,
  config: URL,
  into: Map<string, string[]>,
): Promise<Map<string, string[]>> {
  try {
    await Deno.stat(new URL("deno.json", dir));
    config = new URL("deno.json", dir);
  } catch { /* the config above */ }
  for await (const e of Deno.readDir(dir)) {
    if (e.isDirectory && !SKIP.has(e.name) && !e.name.startsWith(".")) {
      await entries(new URL(`${e.name}/`, dir), config, into);
    } else if (e.isFile && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) {
      const list = into.get(config.href) ?? [];
      list.push(new URL(e.name, dir).href);
      into.set(config.href, list);
    }
  }
  return into;
}

interface Info {
  modules: {
    specifier: string;
    error?: string;
    dependencies?: { code?: { specifier: string }; type?: { specifier: string } }[];
  }[];
}

/** The graph of the repository's own files reached from `roots` (one `deno info` for all). */
async function graphOf(config: string, roots: string[], into: Map<string, Set<string>>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "scif_graph_" });
  try {
    const entry = `${dir}/entries.ts`;
    await Deno.writeTextFile(entry, roots.map((r) => `import ${JSON.stringify(r)};\n`).join(""));
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", "--no-lock", "--config", new URL(config).pathname, entry],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert(out.success, `deno info failed: ${new TextDecoder().decode(out.stderr)}`);
    const info: Info = JSON.parse(new TextDecoder().decode(out.stdout));
    const own = (s: string) => s.startsWith(ROOT.href) && !s.includes("/node_modules/");
    for (const m of info.modules) {
      if (!own(m.specifier) || m.error !== undefined) continue;
      const deps = into.get(m.specifier) ?? new Set<string>();
      for (const d of m.dependencies ?? []) {
        for (const s of [d.code?.specifier, d.type?.specifier]) if (s && own(s)) deps.add(s);
      }
      into.set(m.specifier, deps);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The import circles of `graph`: each strongly connected component of more than one file (or
 * of a file that imports itself), as one cycle through it, starting and ending at one file. */
export function circles(graph: Map<string, Set<string>>): string[][] {
  // Tarjan's algorithm, iterative (the graph is small, but recursion depth is not ours to pick).
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const work: { v: string; next: Iterator<string> }[] = [];
    const enter = (v: string) => {
      index.set(v, index.size);
      low.set(v, index.get(v)!);
      stack.push(v);
      onStack.add(v);
      work.push({ v, next: (graph.get(v) ?? new Set()).values() });
    };
    enter(start);
    while (work.length > 0) {
      const top = work[work.length - 1];
      const n = top.next.next();
      if (!n.done) {
        const w = n.value;
        if (!graph.has(w)) continue;
        if (!index.has(w)) enter(w);
        else if (onStack.has(w)) low.set(top.v, Math.min(low.get(top.v)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].v;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.v)!));
      }
      if (low.get(top.v) !== index.get(top.v)) continue;
      const component = new Set<string>();
      for (let w = ""; w !== top.v;) {
        w = stack.pop()!;
        onStack.delete(w);
        component.add(w);
      }
      if (component.size > 1 || graph.get(top.v)?.has(top.v)) found.push(cycleIn(graph, component));
    }
  }
  return found;
}

/** A shortest cycle through the component's first file (sorted), within the component. */
function cycleIn(graph: Map<string, Set<string>>, component: Set<string>): string[] {
  const first = [...component].sort()[0];
  const from = new Map<string, string>();
  const queue = [first];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!component.has(w)) continue;
      if (w === first) {
        const path: string[] = [];
        for (let u = v; u !== first; u = from.get(u)!) path.unshift(u);
        return [first, ...path, first];
      }
      if (!from.has(w)) {
        from.set(w, v);
        queue.push(w);
      }
    }
  }
  return [first, first];
}

Deno.test("circles: finds each strongly connected component, and none in a tree", () => {
  const g = (edges: Record<string, string[]>) =>
    new Map(Object.entries(edges).map(([k, v]) => [k, new Set(v)]));
  assertEquals(circles(g({ a: ["b", "c"], b: ["c"], c: [] })), []);
  assertEquals(circles(g({ a: ["b"], b: ["c"], c: ["a"], d: ["d"], e: ["a"] })), [
    ["a", "b", "c", "a"],
    ["d", "d"],
  ]);
});

Deno.test("no import circles among the repository's files", async () => {
  const byConfig = await entries(ROOT, new URL("deno.json", ROOT), new Map());
  const graph = new Map<string, Set<string>>();
  for (const [config, roots] of byConfig) await graphOf(config, roots, graph);
  assert(graph.has(new URL("mod.ts", ROOT).href), "the graph misses mod.ts");
  assert(graph.has(new URL("ffi/_node.ts", ROOT).href), "the graph misses ffi/_node.ts");
  const rel = (s: string) => s.slice(ROOT.href.length);
  const found = circles(graph).map((c) => c.map(rel).join(" -> "));
  assertEquals(found, [], `import circles:\n  ${found.join("\n  ")}`);
});
