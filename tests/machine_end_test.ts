// Programs of the machine's emulated network that end however they end (kill -9 mid-stream,
// mid-RMA, holding the heap's lock; all gone): their peers see ECONNRESET, what they held
// returns, and a memory file nobody is left on is made anew.
import { assert, assertEquals } from "@std/assert";
import { within } from "./_cluster.ts";
import { M, machine, PAGE, pair, program, R, S, settle, ST, test } from "./_machine.ts";

test("machine: kill -9 of a program mid-stream: its peer gets ECONNRESET within 1 s, the network goes on for the others, and its memory returns to the heap", async () => {
  await using group = await machine();
  const a = await program(group, 0);
  const watcher = await program(group, 2);
  const base = await watcher.run(M, "heapPages");
  const b = await program(group, 1);
  await pair(a, b);
  await b.run(R, "register", { ep: "conn0", name: "w", pages: 256, seed: 1 });
  const streaming = a.signal("streaming");
  const sender = a.run(M, "streamUntilError", { name: "c" });
  b.run(ST, "recvUntilError", { name: "conn0" }).catch(() => {});
  await streaming;
  const t0 = performance.now();
  group.kill(b);
  assertEquals(await within(5000, sender, "the sender's failure"), "ECONNRESET");
  const ms = performance.now() - t0;
  assert(ms < 1000, `ECONNRESET came after ${ms.toFixed(0)} ms`);
  assertEquals((await a.run(S, "nodeIds")).nodes, [0, 1, 2, 3]);
  await a.run(S, "close", { name: "c" });
  const pages = await settle(() => watcher.run(M, "heapPages"), (p) => p <= base);
  assert(pages <= base, `the heap holds ${pages} pages, ${base} before the program came`);
  // Node 1 takes another program, and it works.
  const b2 = await program(group, 1);
  await pair(a, b2, 2100);
  assertEquals(await a.run(S, "send", { name: "c", bytes: [1, 2, 3] }), 3);
  assertEquals(await b2.run(S, "recv", { name: "conn0", len: 3 }), [1, 2, 3]);
});

test("machine: kill -9 of a program mid-RMA: the survivor's calls fail with ECONNRESET, nothing hangs, the memory returns", async () => {
  await using group = await machine();
  const watcher = await program(group, 2);
  const base = await watcher.run(M, "heapPages");
  const a = await program(group, 0);
  const b = await program(group, 1);
  await pair(a, b);
  const loff = await a.run(R, "register", { ep: "c", name: "l", pages: 2048, seed: 1 });
  const roff = await b.run(R, "register", { ep: "conn0", name: "win", pages: 2048, seed: 2 });
  for (let i = 0; i < 8; i++) {
    await a.run(R, "rma", { ep: "c", op: "writeTo", loff, len: 2048 * PAGE, roff, flags: 0 });
  }
  group.kill(a);
  const r = await within(
    3000,
    b.run(R, "calls", { ep: "conn0", list: [["fenceWait", 0x80000000 + 1]] }),
  );
  assert(["ECONNRESET", "ok"].includes(r[0]), r[0]);
  await new Promise((res) => setTimeout(res, 600));
  assertEquals(
    await b.run(R, "rma", { ep: "conn0", op: "readFrom", loff: roff, len: 8, roff: loff, flags: 4 }),
    "ECONNRESET",
  );
  await b.run(S, "close", { name: "conn0" });
  await b.close();
  const pages = await settle(() => watcher.run(M, "heapPages"), (p) => p <= base);
  assert(pages <= base, `the heap holds ${pages} pages, ${base} before`);
});

test("machine: kill -9 of a program that holds the heap's lock: the next allocation takes the lock over within a second", async () => {
  await using group = await machine();
  const a = await program(group, 0);
  const b = await program(group, 1);
  await b.run(M, "holdHeapLock");
  group.kill(b);
  const ms = await within(5000, a.run(M, "allocateTimed", { pages: 4 }), "an allocation");
  assert(ms < 1000, `the allocation waited ${ms.toFixed(0)} ms`);
  // And the heap works on.
  assert((await a.run(M, "allocateTimed", { pages: 4 })) < 100);
});

test("machine: a memory file left by programs that are all gone is made anew, not trusted", async () => {
  await using group = await machine();
  const a = await program(group, 0);
  await a.run(M, "bindKept", { port: 2000, name: "x" });
  await group.kill(a);
  // Scribble over what the dead left behind: tables and all.
  const file = await Deno.open(`${group.dir}/network`, { read: true, write: true });
  await file.seek(65536 + 128, Deno.SeekMode.Start);
  await file.write(new Uint8Array(1 << 20).fill(0xa5));
  file.close();
  const b = await program(group, 0);
  assertEquals((await b.run(S, "nodeIds")).nodes, [0, 1, 2, 3]);
  assertEquals(await b.run(M, "bindKept", { port: 2000, name: "x" }), 2000);
  const c = await program(group, 1);
  await pair(b, c, 2200);
  assertEquals(await b.run(S, "send", { name: "c", bytes: [4, 5] }), 2);
  assertEquals(await c.run(S, "recv", { name: "conn0", len: 2 }), [4, 5]);
});
