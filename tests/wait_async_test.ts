// The runtime waiter of a dispatcher where the runtime has no Atomics.waitAsync (Firefox ESR):
// waiter Workers (emu/bus/_wait_async.ts), run here in Deno with Atomics.waitAsync set aside.
// The browser suite runs them in Firefox (tests/browser_test.ts); these pin their contract.
import { assert, assertEquals } from "@std/assert";
import { endIdleWaiters, useWaiterWorkers, waitAsync, waiterWorkers } from "../emu/bus/_wait_async.ts";

function settled(p: Promise<unknown>): Promise<unknown> {
  return Promise.race([p, new Promise((r) => setTimeout(() => r("pending"), 200))]);
}

Deno.test("waiter Workers: a notify after the cell changed ends the wait; a cell that differs is no wait", async () => {
  const undo = useWaiterWorkers();
  try {
    const i32 = new Int32Array(new SharedArrayBuffer(64));
    assertEquals(waitAsync(i32, 3, 1), null, "the cell is 0: nothing to wait for");
    i32[3] = 1;
    const w = waitAsync(i32, 3, 1)!;
    assert(w !== null);
    assertEquals(await settled(w), "pending", "nobody rang");
    assertEquals(waiterWorkers(), { workers: 1, waiting: 1 });
    Atomics.store(i32, 3, 0);
    Atomics.notify(i32, 3);
    assertEquals(await w, "ok");
    assertEquals(waiterWorkers(), { workers: 1, waiting: 0 }, "the Worker is back in the pool");
    // The next wait takes the same Worker.
    i32[5] = 1;
    const w2 = waitAsync(i32, 5, 1)!;
    Atomics.store(i32, 5, 0);
    Atomics.notify(i32, 5);
    await w2;
    assertEquals(waiterWorkers().workers, 1);
  } finally {
    undo();
    endIdleWaiters();
  }
});

Deno.test("waiter Workers: a ring before the Worker runs is not lost", async () => {
  const undo = useWaiterWorkers();
  try {
    const i32 = new Int32Array(new SharedArrayBuffer(64));
    i32[0] = 1;
    const w = waitAsync(i32, 0, 1)!;
    // The ringer clears the cell and notifies at once: the Worker has not even started.
    Atomics.store(i32, 0, 0);
    Atomics.notify(i32, 0);
    assertEquals(await w, "not-equal");
  } finally {
    undo();
    endIdleWaiters();
  }
});

Deno.test("waiter Workers: a wait outlasts the Worker's slices while the cell holds, and two cells wait at once", async () => {
  const undo = useWaiterWorkers();
  try {
    const i32 = new Int32Array(new SharedArrayBuffer(64));
    i32[1] = 1;
    i32[2] = 1;
    const a = waitAsync(i32, 1, 1)!;
    const b = waitAsync(i32, 2, 1)!;
    assertEquals(waiterWorkers(), { workers: 2, waiting: 2 });
    await new Promise((r) => setTimeout(r, 2300)); // two slices of 1 s
    assertEquals(await settled(a), "pending", "a slice's end is not a wake-up");
    Atomics.store(i32, 2, 0);
    Atomics.notify(i32, 2);
    assertEquals(await b, "ok");
    assertEquals(await settled(a), "pending", "the other cell's ring is not this one's");
    Atomics.store(i32, 1, 0);
    Atomics.notify(i32, 1);
    assertEquals(await a, "ok");
  } finally {
    undo();
    endIdleWaiters();
  }
});

Deno.test("waiter Workers: a wait whose cell changed without a notify ends at the slice's end", async () => {
  const undo = useWaiterWorkers();
  try {
    const i32 = new Int32Array(new SharedArrayBuffer(64));
    i32[0] = 1;
    const w = waitAsync(i32, 0, 1)!;
    await new Promise((r) => setTimeout(r, 100));
    Atomics.store(i32, 0, 0); // the sleeper went away: its cell is 0 and nobody rings
    const t0 = performance.now();
    assertEquals(await w, "timed-out");
    assert(performance.now() - t0 < 1500, "within a slice");
    assertEquals(waiterWorkers().waiting, 0, "its Worker is free for another wait");
  } finally {
    undo();
    endIdleWaiters();
  }
});
