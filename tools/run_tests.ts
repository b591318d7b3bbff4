/**
 * The test command (`deno task test`): runs the whole suite with `deno test`, then prints
 * the line CI reads, `N passed, N failed`, as the last line of the run. Exits non-zero when
 * anything failed or the suite could not run.
 *
 * The suite is tests/ and the unit tests beside the modules they test (`foo_test.ts` next to
 * `foo.ts`, Deno std's habit) in the library (the root, core/, emu/, ffi/) and tools/.
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

/** Where unit tests sit beside their modules: the root's own files, and these folders (with
 * their subfolders). tests/ is passed whole; the other folders have no tests of deno test's. */
const BESIDE = ["core/", "emu/", "ffi/", "tools/"];

/** The `*_test.ts` files beside modules, relative to the repository's root, sorted. */
export async function besideTests(dir: URL = root): Promise<string[]> {
  const found: string[] = [];
  const walk = async (rel: string, deep: boolean) => {
    for await (const e of Deno.readDir(new URL(rel || ".", dir))) {
      if (e.isFile && e.name.endsWith("_test.ts")) found.push(rel + e.name);
      else if (e.isDirectory && deep) await walk(`${rel}${e.name}/`, true);
    }
  };
  await walk("", false);
  for (const d of BESIDE) {
    await walk(d, true).catch((e) => {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    });
  }
  return found.sort();
}

/** Counts the test cases of a JUnit report: [passed, failed]. Deno's report has a case per
 * test and one per step (not nested in its test's); a skipped case (ignore) counts neither way. */
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

async function main(): Promise<never> {
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

  const args = Deno.args.length > 0 ? Deno.args : ["tests/", ...await besideTests()];
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
}

if (import.meta.main) await main();
