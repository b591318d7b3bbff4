/**
 * Runs the browser checks by hand, in either browser, as many times as asked: the conformance
 * suite, the demo page, or the 8-byte round trip (web/test/latency.ts). Each run is a fresh
 * page of one browser launched once; each prints one line, and the last line says how many
 * runs were green. Exits non-zero when one was not.
 *
 * ```sh
 * deno run -A tools/browser.ts suite --browser firefox --runs 10
 * deno run -A tools/browser.ts suite --browser firefox --filter "ORDERED" --runs 20
 * deno run -A tools/browser.ts demo --browser chromium,firefox --runs 3
 * deno run -A tools/browser.ts latency --browser chromium,firefox   # send/recv vs raw
 * ```
 *
 * @module
 */
import { parseArgs } from "@std/cli/parse-args";
import { type BrowserName, BROWSERS, launchBrowser, runDemo, runSuite, withServer } from "./_browser.ts";
import { buildTests } from "./build_web.ts";

const args = parseArgs(Deno.args, {
  string: ["browser", "runs", "filter", "rounds", "iters"],
  default: { browser: BROWSERS.join(","), runs: "1", filter: "" },
});
const what = String(args._[0] ?? "");
if (!["suite", "demo", "latency"].includes(what)) {
  console.error(
    "usage: tools/browser.ts suite|demo|latency [--browser chromium,firefox] [--runs N] [--filter S]",
  );
  Deno.exit(2);
}
const names = args.browser.split(",") as BrowserName[];
for (const n of names) {
  if (!BROWSERS.includes(n)) throw new Error(`no browser "${n}" (${BROWSERS.join(", ")})`);
}
const runs = Number(args.runs);

const root = new URL("../", import.meta.url);
if (what !== "demo") await buildTests(new URL("out/web-test/", root).pathname);

/** One run: a line to print, and whether it was green. */
type Run = (page: Awaited<ReturnType<Awaited<ReturnType<typeof launchBrowser>>["newPage"]>>) => Promise<
  { line: string; ok: boolean }
>;

const run: Run = what === "suite"
  ? (page) =>
    withServer(true, async (base) => {
      const results = await runSuite(page, base, { filter: args.filter, timeoutMs: 300_000 });
      const failed = results.filter((r) => !r.ok);
      const slowest = [...results].sort((a, b) => b.ms - a.ms)[0];
      return {
        ok: failed.length === 0 && results.length > 0,
        line: `${results.length - failed.length} passed, ${failed.length} failed${
          failed.map((r) => `\n    FAIL ${r.name}: ${r.error?.split("\n")[0]}`).join("")
        } (slowest: ${slowest?.name} ${slowest?.ms.toFixed(0)} ms)`,
      };
    })
  : what === "demo"
  ? (page) =>
    withServer(true, async (base) => {
      const s = await runDemo(page, base, { cards: 3, timeoutMs: 240_000 });
      const us = s.figures?.roundTripUs;
      return {
        ok: s.status === "done",
        line: s.status === "done"
          ? `done in ${s.seconds.toFixed(0)} s; raw ${us.raw.toFixed(3)} µs, send/recv ${
            us.sendrecv.toFixed(3)
          } µs (${(us.sendrecv / us.raw).toFixed(2)}x raw)`
          : `${s.status}: ${s.error}`,
      };
    })
  : (page) =>
    withServer(true, async (base) => {
      const q = new URLSearchParams();
      if (args.rounds) q.set("rounds", args.rounds);
      if (args.iters) q.set("iters", args.iters);
      await page.goto(`${base}/out/web-test/latency.html?${q}`);
      const r = await page.waitFor(() => {
        const g = globalThis as unknown as { scifLatency?: unknown; scifLatencyError?: string };
        return g.scifLatency ?? (g.scifLatencyError ? { error: g.scifLatencyError } : undefined);
      }, 300_000) as { us: Record<string, number>; runs: Record<string, number[]> } | { error: string };
      if ("error" in r) return { ok: false, line: r.error };
      const { raw, mmap, sendrecv, ownRaw, awaited } = r.us;
      const f = (v: number) => v.toFixed(3);
      const rounds = (m: string) => r.runs[m].map(f).join(" ");
      return {
        ok: sendrecv <= 2 * raw,
        line:
          `send/recv ${f(sendrecv)} µs = ${(sendrecv / raw).toFixed(2)}x raw ${f(raw)} µs (goal <= 2x); ` +
          `mmap ${f(mmap)} µs (${(mmap / raw).toFixed(2)}x); ` +
          `raw with an await per call ${f(awaited)} µs (${(awaited / ownRaw).toFixed(2)}x its raw ${
            f(ownRaw)
          } µs: ` +
          `the floor of a promise API here; send/recv is ${(sendrecv / awaited).toFixed(2)}x it); ` +
          `waking a peer asleep in recv ${r.us.wakeup.toFixed(0)} µs\n` +
          `    rounds: send/recv ${rounds("sendrecv")}; raw ${rounds("raw")}; awaited ${rounds("awaited")}`,
      };
    });

let green = 0;
let total = 0;
for (const name of names) {
  const browser = await launchBrowser(name);
  try {
    for (let i = 1; i <= runs; i++) {
      const page = await browser.newPage();
      const t0 = performance.now();
      let r: { line: string; ok: boolean };
      try {
        r = await run(page);
        if (page.errors.length) {
          r = { ok: false, line: `${r.line}; uncaught in the page: ${page.errors.join("; ")}` };
        }
      } catch (e) {
        r = { ok: false, line: `did not finish: ${(e as Error).message}` };
      } finally {
        await page.close();
      }
      total++;
      if (r.ok) green++;
      console.log(
        `[${browser.version}] ${what} run ${i}/${runs}: ${r.ok ? "ok" : "NOT OK"} (${
          ((performance.now() - t0) / 1000).toFixed(0)
        } s): ${r.line}`,
      );
    }
  } finally {
    await browser.close();
  }
}
console.log(`${green} of ${total} runs green`);
Deno.exit(green === total ? 0 : 1);
