// Soak: a long run of connections and endpoints leaves memory where it was. Each run is a
// process of its own (tests/_soak.ts), so its resident set is its own.
//
// V8's young generation grows with the allocation rate up to its limit, which alone makes the
// resident set climb by a hundred MiB or so in a few seconds and then stay: the soak pins it
// (--max-semi-space-size=1) so that what remains is what the library keeps. Before every sleep
// of a user call became local to its thread, a connection left about 2.6 KiB behind (an
// Atomics.waitAsync per sleep costs native memory that is not given back), 0.5 GiB in 200 000.
import { assert, assertEquals } from "@std/assert";

const SOAK = new URL("./_soak.ts", import.meta.url).pathname;

async function soak(what: string, n: number): Promise<{ marks: number[]; inUse: number }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--v8-flags=--max-semi-space-size=1,--expose-gc", SOAK, what, String(n)],
    stderr: "inherit",
  }).output();
  assert(out.success, `the soak (${what}) failed`);
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

const MIB = 1024 * 1024;

/** The resident set at the end is within 10% of the one at 30% of the run (after warm-up). */
function assertFlat(marks: number[], what: string): void {
  const [warm, end] = [marks[2], marks[9]];
  assert(
    end <= warm * 1.1,
    `${what}: resident set grew from ${(warm / MIB).toFixed(1)} MiB to ${(end / MIB).toFixed(1)} MiB ` +
      `(${marks.map((m) => (m / MIB).toFixed(1)).join(", ")})`,
  );
}

Deno.test("soak: 200 000 connections to a Worker (connect, a byte each way, close) leave the resident set and the shared memory where they were", async () => {
  const { marks, inUse } = await soak("connect", 200_000);
  assertFlat(marks, "connections");
  assertEquals(inUse, 0, "shared memory still in use after every connection closed");
});

Deno.test("soak: 200 000 endpoints opened and closed (half bound) leave the resident set and the shared memory where they were", async () => {
  const { marks, inUse } = await soak("open", 200_000);
  assertFlat(marks, "endpoints");
  assertEquals(inUse, 0);
});
