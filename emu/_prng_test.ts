// The seeded generator of fault injection (emu/_prng.ts): its sequence, the purity of a draw, and
// the meaning of a threshold.
import { assert, assertEquals, assertNotEquals } from "@std/assert";
import { draw, drawn, Mulberry32 } from "./_prng.ts";

Deno.test("mulberry32 gives the published sequence for seed 0 and repeats for a seed", () => {
  const a = new Mulberry32(0);
  // mulberry32(0)'s first outputs, as the reference implementation computes them.
  assertEquals([a.next(), a.next(), a.next()], [1144304738, 1416247, 958946056]);
  const b = new Mulberry32(42);
  const c = new Mulberry32(42);
  const xs = Array.from({ length: 100 }, () => b.next());
  assertEquals(xs, Array.from({ length: 100 }, () => c.next()));
  assert(xs.every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32));
  assertNotEquals(xs, Array.from({ length: 100 }, () => new Mulberry32(43).next()));
  const f = new Mulberry32(7).nextFloat();
  assert(f >= 0 && f < 1);
});

Deno.test("draw is a pure function of seed, stream and index, and spreads them", () => {
  assertEquals(draw(1, 2, 3), draw(1, 2, 3));
  const seen = new Set<number>();
  for (let s = 0; s < 4; s++) for (let i = 0; i < 256; i++) seen.add(draw(9, s, i));
  assertEquals(seen.size, 1024); // no collisions among neighbours
  assertNotEquals(draw(1, 0, 0), draw(2, 0, 0));
  assert(draw(-1, 5, 2 ** 31 - 1) >= 0);
});

Deno.test("drawn's threshold is a probability in units of 2^-30", () => {
  const n = 20_000;
  let hits = 0;
  for (let i = 0; i < n; i++) if (drawn(5, 1, i, 2 ** 28)) hits++; // p = 1/4
  assert(Math.abs(hits / n - 0.25) < 0.02, `${hits / n}`);
  for (let i = 0; i < 100; i++) {
    assertEquals(drawn(5, 1, i, 0), false);
    assertEquals(drawn(5, 1, i, 2 ** 30), true);
  }
});
