// The demo (the main job) end to end, and its charts. The demo's figures are measurements, so
// these tests check what it produces and that the figures are sane, never how fast anything is.
import { assert, assertEquals, assertMatch } from "@std/assert";
import { sizeLabel, svgChart, terminalChart } from "../demo/_chart.ts";

const root = new URL("../", import.meta.url).pathname;

Deno.test("demo --quick: the tables, the terminal chart, chart.svg and --json figures", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--config",
        "demo/deno.json",
        "demo/main.ts",
        "--quick",
        "--out",
        `${dir}/c.svg`,
        "--json",
        `${dir}/f.json`,
      ],
      cwd: root,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const out = new TextDecoder().decode(stdout);
    assertEquals(code, 0, new TextDecoder().decode(stderr));
    // The greeting, between three nodes.
    assertMatch(out, /host -> card 1: card 1 got "hello card 1, this is the host" from 0:\d+/);
    assertMatch(out, /card 1 -> card 2: card 2 got "hello from card 1" from 1:\d+/);
    // It ends with the statistics table of what it did (node.stats() of every node it ran).
    assertMatch(out, /What the demo did \(node\.stats\(\)/);
    assertMatch(out, /^run +node +sent +received +sends +recvs +RMA written +RMA read/m);
    for (const run of ["hello", "latency, 8 nodes", "bandwidth, Workers", "two processes"]) {
      assertMatch(out, new RegExp(`^${run} +(host|a \\(node 0\\)|b \\(node 1\\)) `, "m"), run);
    }
    // The bandwidth runs moved data both ways: no row of theirs is all zeros.
    assertMatch(out, /^bandwidth, Workers +a \(node 0\) +[\d.]+ [KMGT]B /m);

    const f = JSON.parse(await Deno.readTextFile(`${dir}/f.json`));
    const sizes: number[] = f.sizes;
    assertEquals(sizes, [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536].map((k) => k * 1024));
    for (const m of ["writeTo", "readFrom", "stream", "tcp", "memcpy"]) {
      assertEquals(f.bandwidthGBps[m].length, sizes.length, m);
      for (const v of f.bandwidthGBps[m]) assert(Number.isFinite(v) && v > 0, `${m}: ${v}`);
      // Each row of the table carries the figure as printed.
      assert(out.includes(f.bandwidthGBps[m][0].toFixed(2)), `${m} is in the table`);
    }
    const us = f.roundTripUs;
    for (const m of ["raw", "mmap", "sendrecv", "tcp", "postMessage"]) {
      assert(Number.isFinite(us[m]) && us[m] > 0, `${m}: ${us[m]}`);
      assertEquals(f.roundTripRuns[m].length, 3);
    }
    // The figures are not compared here: a loaded machine can make any of them slow (a timed
    // test); the benchmarks judge them, in ratios measured in one run.
    assertEquals(f.crowded.nodes, 8);
    assertEquals(f.crowded.endpoints, 256);
    assert(f.crowded.roundTripUs > 0);
    // Two endpoint queue pairs of the default 256 KiB ring, and their cells.
    assert(f.crowded.bytesPerIdleConnection >= 2 * 256 * 1024, String(f.crowded.bytesPerIdleConnection));
    assert(
      f.crowded.bytesPerIdleConnection <= 2 * 256 * 1024 + 65536,
      String(f.crowded.bytesPerIdleConnection),
    );
    // Between two processes: RMA and the stream at every size, the round trips.
    for (const m of ["writeTo", "stream"]) {
      assertEquals(f.processes.bandwidthGBps[m].length, sizes.length, m);
      for (const v of f.processes.bandwidthGBps[m]) {
        assert(Number.isFinite(v) && v > 0, `processes ${m}: ${v}`);
      }
    }
    for (const m of ["raw", "mmap", "sendrecv", "unix"]) {
      assert(Number.isFinite(f.processes.roundTripUs[m]) && f.processes.roundTripUs[m] > 0, `processes ${m}`);
    }
    assertMatch(out, /8-byte round trip between two processes/);
    assertEquals(Object.keys(f.goals).length, 13);
    for (const [name, g] of Object.entries<{ value: number; met: boolean }>(f.goals)) {
      assert(Number.isFinite(g.value), name);
      assert(out.includes(name), `goal "${name}" is in the table`);
    }

    const svg = await Deno.readTextFile(`${dir}/c.svg`);
    assert(svg.startsWith("<svg ") && svg.trimEnd().endsWith("</svg>"));
    const lines = [...svg.matchAll(/<polyline points="([^"]*)"/g)];
    assertEquals(lines.length, 7);
    for (const l of lines) assertEquals(l[1].split(" ").length, sizes.length);
    for (
      const name of [
        "SCIF RMA writeTo",
        "SCIF RMA readFrom",
        "SCIF send/recv stream",
        "TCP loopback",
        "SCIF RMA writeTo, two processes",
        "SCIF stream, two processes",
      ]
    ) {
      assert(svg.includes(`>${name}</text>`), name);
    }
    assertMatch(out, /GB\/s against transfer size \(log scale\)/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("demo charts: size labels, marks where the values are, escaped SVG text", () => {
  assertEquals([1024, 1536, 1 << 20, 128 << 20, 512].map(sizeLabel), [
    "1 KiB",
    "1.5 KiB",
    "1 MiB",
    "128 MiB",
    "512 B",
  ]);
  const sizes = [1024, 2048, 4096];
  const up = { name: "up", mark: "U", color: "#000", values: [1, 5, 10] };
  const flat = { name: "flat <&>", mark: "F", color: "#111", dashed: true, values: [0, 0, 0] };
  const text = terminalChart(sizes, [up, flat], 21, 11).split("\n");
  const row = (r: number) => text[r].slice(text[r].indexOf("┤") + 1);
  assertEquals(row(0).at(-1), "U", "the largest value is at the top right");
  assertEquals(row(10)[0], "F", "the smallest at the bottom left");
  assertEquals(row(10).at(-1), "F");
  assertEquals(row(9)[0], "U", "1 of 10 is one row of ten up");
  assertEquals(text[0].trim().split(" ")[0], "10");
  const svg = svgChart({ title: "t & t", subtitle: "s", sizes, series: [up, flat], notes: ["a < b"] });
  assert(svg.includes("t &amp; t") && svg.includes("flat &lt;&amp;&gt;") && svg.includes("a &lt; b"));
  assert(!/<text[^>]*>[^<]*&(?!amp;|lt;|gt;)/.test(svg), "every & in text is escaped");
  assertEquals([...svg.matchAll(/<polyline /g)].length, 2);
  assertEquals([...svg.matchAll(/stroke-dasharray/g)].length, 2, "the dashed line and its legend entry");
});

Deno.test("demo: its own config and lock name only the npm package it imports (Deno's std), not the tools'", async () => {
  const lock = JSON.parse(await Deno.readTextFile(new URL("../demo/deno.lock", import.meta.url)));
  assertEquals(Object.keys(lock.npm ?? {}), ["deno-std@1.4.0"]);
  const config = JSON.parse(await Deno.readTextFile(new URL("../demo/deno.json", import.meta.url)));
  assertEquals(Object.values(config.imports), ["npm:deno-std@1.4.0/cli/parse_args.js"]);
});
