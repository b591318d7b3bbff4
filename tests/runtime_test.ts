// README's table of runtimes, measured: for each runtime installed, tests/fixtures/runtime_probe.mjs
// runs against the library (mod.ts in Deno; the browser build, web/dist/scif.js as the sources build
// it now, in Node.js and Bun) and says what each part of the API did; each row of ROWS is what
// README's table says. A part either works or refuses with the named ScifError (never a
// TypeError), and every probe ends by itself within its time (no hang, nothing holding the
// process open). A runtime that lacks a feature is simulated in a Deno subprocess that deletes
// it from globalThis before the library is imported. In Chromium and Firefox ESR (Debian's,
// tools/_browser.ts) the probe runs in a page (tests/fixtures/runtime_probe.html, served by
// web/serve.ts), with and without cross-origin isolation.
//
// Node.js 20 is the machine's (/usr/bin/node); Node.js 22 and Bun come from the npm registry,
// installed by .ci/run into out/runtimes/ (npm packages node@22.23.3 and bun@1.4.5); a runtime
// that is not installed is skipped, and the test says why. SCIF_NODE20, SCIF_NODE22 and SCIF_BUN
// may name other executables.
import { assert, assertEquals, assertMatch } from "@std/assert";
import { build } from "../tools/build_web.ts";
import { BROWSERS, executableOf, launchBrowser, withServer } from "../tools/_browser.ts";

const root = new URL("../", import.meta.url);
const probe = new URL("tests/fixtures/runtime_probe.mjs", root).pathname;
/** How long a probe may take to print its line (the node-loss part waits up to 8 s), and how
 * long it then has to end by itself. */
const PROBE_MS = 25_000;
const END_MS = 3_000;

/** What a part must come to: "ok", or a ScifError's code and a pattern of its message. */
type Want = "ok" | "not tried" | { code: string; says: RegExp };

/** The columns of README's table, as parts of the probe. */
interface Row {
  threads: Want; // two nodes of one thread: connect, send, recv, SYNC RMA
  workers: Want; // a node in another thread (a Web Worker or worker_threads)
  rmaDma: Want; // an RMA to the DMA engine, ordered by fenceMark/fenceWait
  nodeLoss: Want; // the end of that thread seen by the host's recv (ECONNRESET)
  machine: Want; // openNode({ network: "machine" })
  hardware: Want; // openNode({ backend: "hw" }): reaches the device check, or is refused
}

const refused = (code: string, says: RegExp): Want => ({ code, says });
const NO_DEVICE = refused("ENODEV", /\/dev\/scif does not exist/);
const NO_FFI = refused("ENODEV", /needs Deno's FFI/);
const NO_MACHINE = refused("EOPNOTSUPP", /machine's network .* Deno's FFI.*network: "thread"/);
const WORKS = { threads: "ok", workers: "ok", rmaDma: "ok", nodeLoss: "ok" } as const;

/** What a runtime is and how to find it. */
interface Runtime {
  name: string;
  /** The executable, or why there is none. */
  exe: () => Promise<string | { skip: string }>;
  /** The probe's arguments after its path. */
  args: (web: string) => string[];
  /** Extra arguments before the probe's path (Deno's run flags). */
  flags?: string[];
  row: Row;
  /** Why the process does not end by itself once the probe is done, where README says so
   * (default: it ends). */
  staysUp?: string;
}

const deno = (without: string[], row: Row, extra: string[] = []): Omit<Runtime, "name"> => ({
  exe: () => Promise.resolve(Deno.execPath()),
  flags: ["run", "-A"],
  args: () => [
    new URL("mod.ts", root).pathname,
    ...(without.length ? [`--without=${without.join(",")}`] : []),
    ...extra,
  ],
  row,
});

/** An executable of `env` or at `path`, if it runs and says a version starting `version`. */
function installed(env: string, path: string, version: string, how: string) {
  return async (): Promise<string | { skip: string }> => {
    const exe = Deno.env.get(env) ?? path;
    try {
      const { success, stdout } = await new Deno.Command(exe, { args: ["--version"], stdout: "piped" })
        .output();
      const said = new TextDecoder().decode(stdout).trim();
      if (success && said.replace(/^v/, "").startsWith(version)) return exe;
      return { skip: `${exe} is ${said}, not ${version}: ${how}` };
    } catch {
      return { skip: `${exe} is not installed: ${how}` };
    }
  };
}

const OUT = new URL("out/runtimes/node_modules/.bin/", root).pathname;
const RUNTIMES: Runtime[] = [
  { name: "Deno", ...deno([], { ...WORKS, machine: "ok", hardware: NO_DEVICE }, ["--machine"]) },
  {
    name: "Node.js 20",
    exe: installed("SCIF_NODE20", "/usr/bin/node", "20.", "the machine's Node.js (apt-get install nodejs)"),
    args: (web) => [web],
    row: { ...WORKS, machine: NO_MACHINE, hardware: NO_FFI },
  },
  {
    name: "Node.js 22",
    exe: installed(
      "SCIF_NODE22",
      `${OUT}node`,
      "22.",
      "bash .ci/run installs it (npm i --prefix out/runtimes node@22.23.3)",
    ),
    args: (web) => [web],
    row: { ...WORKS, machine: NO_MACHINE, hardware: NO_FFI },
  },
  {
    name: "Bun",
    exe: installed(
      "SCIF_BUN",
      `${OUT}bun`,
      "1.",
      "bash .ci/run installs it (npm i --prefix out/runtimes bun@1.4.5)",
    ),
    args: (web) => [web],
    row: { ...WORKS, machine: NO_MACHINE, hardware: NO_FFI },
  },
  {
    // Firefox ESR's case: a node's dispatcher waits in waiter Workers (emu/bus/_wait_async.ts).
    name: "no Atomics.waitAsync (Deno without it)",
    ...deno(["Atomics.waitAsync"], { ...WORKS, machine: "not tried", hardware: NO_DEVICE }),
    staysUp: "the idle waiter Workers of emu/bus/_wait_async.ts stay after the network is closed, " +
      "and a live Worker holds a Deno process open",
  },
  ...(
    [
      [
        "no Atomics.waitAsync and no Worker",
        ["Atomics.waitAsync", "Worker", "process"],
        /Atomics\.waitAsync/,
      ],
      ["no SharedArrayBuffer", ["SharedArrayBuffer"], /needs SharedArrayBuffer/],
      ["no WebAssembly threads", ["WebAssembly.threads"], /needs WebAssembly threads/],
      ["a page that is not cross-origin isolated", ["crossOriginIsolated"], /Cross-Origin-Opener-Policy/],
    ] as const
  ).map(([name, without, says]): Runtime => ({
    name: `${name} (Deno without it)`,
    ...deno([...without], {
      threads: refused("EOPNOTSUPP", says),
      workers: "not tried",
      rmaDma: "not tried",
      nodeLoss: "not tried",
      machine: "not tried",
      hardware: NO_DEVICE,
    }),
  })),
  {
    name: "no Worker (Deno without Worker and worker_threads)",
    ...deno(["Worker", "process"], {
      threads: "ok",
      workers: "not tried",
      rmaDma: refused("EOPNOTSUPP", /DMA engine.*no Worker.*SCIF_RMA_SYNC or SCIF_RMA_USECPU/),
      nodeLoss: "not tried",
      machine: "not tried",
      hardware: NO_DEVICE,
    }),
  },
];

/** The probe's parts for `row`'s columns (the threads column is createNetwork, threads, rmaSync). */
function parts(result: Record<string, string>): Record<keyof Row, string> {
  const first = (...names: string[]) =>
    names.map((n) => result[n]).find((v) => v !== undefined && v !== "ok");
  const tried = (v: string | undefined) => v ?? "not tried";
  return {
    threads: first("import", "createNetwork", "threads", "rmaSync", "openNodeThread", "close") ?? "ok",
    workers: result.workers?.startsWith("no Worker") ? "not tried" : tried(result.workers),
    rmaDma: tried(result.rmaDma),
    nodeLoss: tried(result.nodeLoss),
    machine: tried(result.openNodeMachine),
    hardware: tried(result.hardware),
  };
}

function check(column: string, got: string, want: Want): void {
  assert(!/TypeError|ReferenceError/.test(got), `${column}: ${got}`);
  if (want === "ok" || want === "not tried") return assertEquals(got, want, column);
  assertMatch(got, new RegExp(`^ScifError ${want.code}: `), column);
  assertMatch(got, want.says, column);
}

/** web/dist/scif.js as the sources build it now, in out/ (served to the pages too). */
const WEB = "out/runtime-web/scif.js";

Deno.test("runtimes: each runtime installed does what README's table says (works, or refuses with the named ScifError), and ends", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "scif-runtimes-" });
  try {
    await build(new URL("out/runtime-web", root).pathname);
    const web = new URL(WEB, root).pathname;
    // Every probe at once (most of their time is waiting), each asserted in a step of its own.
    const runs = RUNTIMES.map(async (rt) => {
      const exe = await rt.exe();
      if (typeof exe !== "string") return exe;
      const child = new Deno.Command(exe, {
        args: [...(rt.flags ?? []), probe, ...rt.args(web)],
        cwd: root.pathname,
        env: { SCIF_EMU_DIR: `${dir}/emu-${RUNTIMES.indexOf(rt)}` },
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      // Killed PROBE_MS after its start, or END_MS after its RESULT line if it has not ended.
      let killed = false;
      const kill = () => {
        killed = true;
        child.kill("SIGKILL");
      };
      let timer = setTimeout(kill, PROBE_MS);
      const err = new Response(child.stderr).text();
      let text = "";
      for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
        const had = /^RESULT .*\n/m.test(text);
        text += chunk;
        if (!had && /^RESULT .*\n/m.test(text)) {
          clearTimeout(timer);
          timer = setTimeout(kill, END_MS);
        }
      }
      const status = await child.status;
      clearTimeout(timer);
      return { status, killed, text, err: await err };
    });
    for (const [i, rt] of RUNTIMES.entries()) {
      const run = await runs[i];
      await t.step({
        name: `${rt.name}${"skip" in run ? ` (skipped: ${run.skip})` : ""}`,
        ignore: "skip" in run,
        fn: () => {
          if ("skip" in run) return;
          const line = run.text.split("\n").find((l) => l.startsWith("RESULT "));
          assert(line, `no RESULT line (stdout: ${run.text}; stderr: ${run.err})`);
          if (rt.staysUp) {
            assert(
              run.killed,
              `the probe ended by itself: README's table and this row say it does not (${rt.staysUp})`,
            );
          } else {
            assert(!run.killed, `the probe did not end by itself within ${END_MS} ms of its result: ${line}`);
            assertEquals(run.status.code, 0, run.err);
          }
          assert(!/TypeError|ReferenceError|Uncaught/.test(run.err), `stderr: ${run.err}`);
          const got = parts(JSON.parse(line!.slice(7)));
          for (const column of Object.keys(rt.row) as (keyof Row)[]) {
            check(column, got[column], rt.row[column]);
          }
        },
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** The pages of README's table: each browser's rows. */
const PAGES = [
  { name: "an isolated page", isolation: true, row: { ...WORKS, machine: NO_MACHINE, hardware: NO_FFI } },
  {
    name: "a page that is not cross-origin isolated",
    isolation: false,
    row: {
      threads: refused("EOPNOTSUPP", /cross-origin isolation.*Cross-Origin-Embedder-Policy: require-corp/),
      workers: "not tried",
      rmaDma: "not tried",
      nodeLoss: "not tried",
      machine: NO_MACHINE,
      hardware: NO_FFI,
    },
  },
] as const;

for (const name of BROWSERS) {
  const exe = executableOf(name);
  const missing = await Deno.stat(exe).then(
    () => null,
    () => `${exe} is not installed (apt-get install ${name})`,
  );
  Deno.test({
    name: `runtimes: in ${name}, a page does what README's table says${
      missing ? ` (skipped: ${missing})` : ""
    }`,
    ignore: missing !== null,
    async fn(t) {
      await build(new URL("out/runtime-web", root).pathname);
      const browser = await launchBrowser(name);
      try {
        for (const { name: what, isolation, row } of PAGES) {
          await t.step(`${browser.version}, ${what}`, () =>
            withServer(isolation, async (base) => {
              const page = await browser.newPage();
              try {
                await page.goto(`${base}/tests/fixtures/runtime_probe.html?lib=/${WEB}`);
                const result = await page.waitFor(
                  () => (globalThis as { scifProbe?: Record<string, string> }).scifProbe,
                  PROBE_MS,
                  100,
                );
                assertEquals(page.errors, [], "no uncaught error in the page");
                const got = parts(result);
                for (const column of Object.keys(row) as (keyof Row)[]) {
                  check(column, got[column], row[column]);
                }
              } finally {
                await page.close();
              }
            }));
        }
      } finally {
        await browser.close();
      }
    },
  });
}
