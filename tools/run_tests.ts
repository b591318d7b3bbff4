/**
 * The test command (`deno task test`): runs the whole suite with `deno test`, then prints
 * the line CI reads, `N passed, N failed`, as the last line of the run. Exits non-zero when
 * anything failed or the suite could not run.
 *
 * ```sh
 * deno task test                     # everything
 * deno task test tests/stream_test.ts --filter integrity   # a part (arguments go to deno test)
 * ```
 *
 * @module
 */

import { buildSimulator } from "../tests/_sim.ts";

const root = new URL("../", import.meta.url);
const outDir = new URL("out/", root);
await Deno.mkdir(outDir, { recursive: true });
const junit = new URL("junit.xml", outDir).pathname;
await Deno.remove(junit).catch(() => {});

// The simulated /dev/scif (a C test fixture) is built with the system compiler; the tests build
// it on demand too, but a failure is clearer here.
try {
  await buildSimulator();
} catch (e) {
  console.error(`could not build the simulated device: ${(e as Error).message}`);
}

const args = Deno.args.length > 0 ? Deno.args : ["tests/"];
const cmd = new Deno.Command(Deno.execPath(), {
  args: ["test", "-A", `--junit-path=${junit}`, ...args],
  cwd: root.pathname,
  stdout: "inherit",
  stderr: "inherit",
});
// A watchdog: a suite that hangs (a lost wake-up, say) ends as a failure with the line CI reads,
// not at CI's own limit. The suite takes about 4 minutes here.
const LIMIT_MS = 20 * 60_000;
const child = cmd.spawn();
const watchdog = setTimeout(() => {
  console.error(`the suite ran for over ${LIMIT_MS / 60_000} minutes: stopped (a test hangs)`);
  try {
    child.kill("SIGKILL");
  } catch {
    // gone already
  }
}, LIMIT_MS);
const { code } = await child.status;
clearTimeout(watchdog);

/** Counts the test cases of a JUnit report: [passed, failed]. */
export function countJunit(xml: string): [number, number] {
  let passed = 0;
  let failed = 0;
  for (const m of xml.matchAll(/<testcase\b[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const body = m[2] ?? "";
    if (/<skipped\b/.test(body)) continue;
    if (/<(failure|error)\b/.test(body)) failed++;
    else passed++;
  }
  return [passed, failed];
}

let passed = 0;
let failed = 0;
try {
  [passed, failed] = countJunit(await Deno.readTextFile(junit));
} catch {
  // No report: the suite did not run (a type error, a crash). That is a failure.
}
if (code !== 0 && failed === 0) failed = 1;
// deno test's own summary says "T passed (S steps)": tests, and their steps apart. The line CI
// reads counts each test and each step once (the JUnit report's cases), so it is T + S.
console.log("(the count below is deno test's tests plus their steps, each once)");
console.log(`${passed} passed, ${failed} failed`);
Deno.exit(failed === 0 ? 0 : 1);
