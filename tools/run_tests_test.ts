// The test command's parts (tools/run_tests.ts): which files beside modules it runs, and how it
// counts a JUnit report.
import { assertEquals } from "@std/assert";
import { besideTests, countJunit } from "./run_tests.ts";

Deno.test("run_tests: collects the *_test.ts beside modules (root, core/, emu/, ffi/, tools/), not tests/ nor other folders", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const files = [
      "a_test.ts",
      "a.ts",
      "emu/_heap_test.ts",
      "emu/bus/x_test.ts",
      "ffi/y_test.ts",
      "tools/run_tests_test.ts",
      "tests/z_test.ts",
      "demo/d_test.ts",
      "web/test/w_test.ts",
    ];
    for (const f of files) {
      await Deno.mkdir(`${dir}/${f.slice(0, f.lastIndexOf("/") + 1) || "."}`, { recursive: true });
      await Deno.writeTextFile(`${dir}/${f}`, "");
    }
    assertEquals(await besideTests(new URL(`file://${dir}/`)), [
      "a_test.ts",
      "emu/_heap_test.ts",
      "emu/bus/x_test.ts",
      "ffi/y_test.ts",
      "tools/run_tests_test.ts",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("run_tests: the repository's own unit tests beside modules are collected", async () => {
  const found = await besideTests();
  for (const f of ["_window_test.ts", "emu/_heap_test.ts", "emu/_ports_test.ts", "tools/run_tests_test.ts"]) {
    assertEquals(found.includes(f), true, `${f} in ${found}`);
  }
  assertEquals(found.some((f) => f.startsWith("tests/")), false);
});

Deno.test("run_tests: countJunit counts tests and steps once each, failures apart, skipped not at all", () => {
  // What deno test --junit-path writes for a test with a passing and a failing step, a passing
  // test and an ignored one.
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="deno test" tests="5" failures="2" errors="0" time="0.017">
    <testsuite name="./x_test.ts" tests="5" disabled="1" errors="0" failures="2">
        <testcase name="a &lt;b&gt; &amp; c" classname="./x_test.ts" time="0.008" line="1" col="6">
            <failure message="1 test step failed">1 test step failed.</failure>
        </testcase>
        <testcase name="ok one" classname="./x_test.ts" time="0.000" line="5" col="6">
        </testcase>
        <testcase name="ignored" classname="./x_test.ts" time="0.000" line="6" col="6">
            <skipped/>
        </testcase>
        <testcase name="a &lt;b&gt; &amp; c &gt; s1" classname="./x_test.ts" time="0.001" line="2" col="11">
        </testcase>
        <testcase name="a &lt;b&gt; &amp; c &gt; s2 fails" classname="./x_test.ts" time="0.001" line="3" col="11">
            <failure message="Uncaught Error: x &lt;/testcase&gt; y">Error: x &lt;/testcase&gt; y</failure>
        </testcase>
        <testcase name="empty" classname="./x_test.ts" time="0.000" line="7" col="6"/>
    </testsuite>
</testsuites>`;
  assertEquals(countJunit(xml), [3, 2]);
  assertEquals(countJunit(""), [0, 0]);
});
