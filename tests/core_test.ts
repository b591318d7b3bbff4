// The WebAssembly core: the committed bytes are what core-as/ builds to, the loader names
// exactly the module's functions, and the ring, the framed stream and the message codec do what
// their contracts say.
import { assert, assertEquals } from "@std/assert";
import { BYTES_FILE, compileCore, renderBytes } from "../tools/build_wasm.ts";
import {
  CORE_FUNCTIONS,
  coreBytes,
  type CoreExports,
  coreModule,
  instantiateCore,
} from "../core/scif_core.ts";

const root = new URL("../", import.meta.url);

Deno.test("core: the committed bytes are what core-as/ builds to now", async () => {
  const fresh = await compileCore();
  assertEquals(coreBytes(), fresh, "core/_wasm_bytes.ts is stale: run `deno task build:wasm`");
  const committed = await Deno.readTextFile(new URL(`core/${BYTES_FILE}`, root));
  assertEquals(committed, renderBytes(fresh), "core/_wasm_bytes.ts is stale: run `deno task build:wasm`");
});

Deno.test("core: the loader's CORE_FUNCTIONS (CoreExports's keys) are exactly the module's functions", async () => {
  const exported = WebAssembly.Module.exports(await coreModule()).filter((e) => e.kind === "function").map((
    e,
  ) => e.name);
  const declared: readonly string[] = CORE_FUNCTIONS;
  assertEquals(
    exported.filter((n) => !declared.includes(n)),
    [],
    "functions of the module CoreExports lacks",
  );
  assertEquals(
    declared.filter((n) => !exported.includes(n)),
    [],
    "CoreExports names functions the module lacks",
  );
  assertEquals(new Set(declared).size, declared.length, "a name twice in CORE_FUNCTIONS");
});

async function core(): Promise<{ c: CoreExports; u8: Uint8Array; i32: Int32Array }> {
  const memory = new WebAssembly.Memory({ initial: 4, maximum: 4, shared: true });
  return {
    c: await instantiateCore(await coreModule(), memory),
    u8: new Uint8Array(memory.buffer),
    i32: new Int32Array(memory.buffer),
  };
}

// One ring of `size` bytes: data at 0x10000, cells and descriptors below it.
const DATA = 0x10000;
const [WRITE_CELL, WRITER_WAITING, READ_CELL, READER_WAITING, RX, TX] = [
  0x8000,
  0x8080,
  0x8100,
  0x8180,
  0x8200,
  0x8240,
];
function ring(c: CoreExports, size: number): void {
  c.rb_init(RX, DATA, size, READ_CELL, WRITE_CELL, READER_WAITING, WRITER_WAITING);
  c.rb_init(TX, DATA, size, READ_CELL, WRITE_CELL, WRITER_WAITING, READER_WAITING);
}

Deno.test("core: scif_rb keeps one byte free, wraps around, and publishes only on commit", async () => {
  const { c, u8 } = await core();
  ring(c, 4096);
  assertEquals(c.rb_space(TX), 4095);
  const src = 0x20000;
  const dst = 0x30000;
  for (let i = 0; i < 5000; i++) u8[src + i] = i & 0xff;
  let moved = 0;
  for (const len of [3000, 1000, 95, 2500]) {
    if (c.rb_space(TX) < len) {
      assertEquals(c.rb_write(TX, src, len), -1, "write must refuse what does not fit");
      continue;
    }
    assertEquals(c.rb_write(TX, src + (moved % 1000), len), 0);
    assertEquals(c.rb_count(RX), 0, "nothing is visible before commit");
    c.rb_commit(TX);
    assertEquals(c.rb_count(RX), len);
    assertEquals(c.rb_get_next(RX, dst, len), 0);
    for (let i = 0; i < len; i++) assertEquals(u8[dst + i], (moved % 1000 + i) & 0xff);
    assertEquals(c.rb_space(TX), 4095 - len, "space returns only on update_read_ptr");
    c.rb_update_read_ptr(RX);
    assertEquals(c.rb_space(TX), 4095);
    moved += len;
  }
  assertEquals(c.rb_get_next(RX, dst, 1), -1);
});

Deno.test("core: a writer that sleeps is told to be notified by the reader, and the other way round", async () => {
  const { c } = await core();
  ring(c, 4096);
  assertEquals(c.rb_commit(TX), 0);
  c.rb_set_waiting(RX, 1); // the reader is about to sleep
  assertEquals(c.rb_commit(TX), 1);
  c.rb_set_waiting(RX, 0);
  c.rb_set_waiting(TX, 1);
  assertEquals(c.rb_update_read_ptr(RX), 1);
});

const PACK = 2 ** 27;
const unpack = (r: number) => [Math.floor(r / PACK), r % PACK];

Deno.test("core: the framed stream carries records across the ring's end and partial reads", async () => {
  const { c, u8 } = await core();
  ring(c, 4096);
  c.st_init(RX, 0x1234_5678_9abc_def0n);
  c.st_init(TX, 0x1234_5678_9abc_def0n);
  let sent = 0;
  let received = 0;
  for (let round = 0; round < 200; round++) {
    const want = 1 + ((round * 977) % 3000);
    const [at, n] = unpack(c.st_reserve(TX, want));
    if (n === 0) continue;
    for (let i = 0; i < n; i++) u8[DATA + ((at + i) & 4095)] = (sent + i) & 0xff;
    assertEquals(unpack(c.st_peek(RX, 0))[1], 0, "a record is invisible before its commit");
    c.st_commit(TX, n);
    sent += n;
    while (received < sent) {
      const [rat, avail] = unpack(c.st_peek(RX, 0));
      assert(avail > 0);
      const take = Math.min(avail, 1 + (round % 700));
      for (let i = 0; i < take; i++) assertEquals(u8[DATA + ((rat + i) & 4095)], (received + i) & 0xff);
      c.st_release(RX, take);
      received += take;
    }
  }
  assert(sent > 100_000);
  assertEquals(unpack(c.st_peek(RX, 0))[1], 0);
});

Deno.test("core: a record moves the write cell only when the reader said it waits (and then asks for a notify)", async () => {
  const { c, i32 } = await core();
  ring(c, 4096);
  c.st_init(RX, 7n);
  c.st_init(TX, 7n);
  const send = () => {
    const [, n] = unpack(c.st_reserve(TX, 8));
    return c.st_commit(TX, n);
  };
  assertEquals(send(), 0, "nobody waits: no notify");
  assertEquals(Atomics.load(i32, WRITE_CELL >> 2), 0, "nobody waits: the cell stays");
  c.rb_set_waiting(RX, 1);
  assertEquals(send(), 1, "the reader waits: notify it");
  assertEquals(Atomics.load(i32, WRITE_CELL >> 2), 64, "the reader waits: the cell moves past both records");
  assertEquals(unpack(c.st_peek(RX, 0))[1], 8, "the records are there whatever the cell says");
});

Deno.test("core: a stale header left by an earlier lap is not taken for a new record", async () => {
  const { c, u8 } = await core();
  ring(c, 4096);
  c.st_init(RX, 99n);
  c.st_init(TX, 99n);
  // Fill the whole ring once with records of user bytes, consume them, then look where the
  // next one goes (bytes of the last lap are there).
  for (let n; (n = unpack(c.st_reserve(TX, 100_000))[1]) > 0;) c.st_commit(TX, n);
  for (let n; (n = unpack(c.st_peek(RX, 0))[1]) > 0;) c.st_release(RX, n);
  const before = u8.slice(DATA, DATA + 4096);
  assertEquals(unpack(c.st_peek(RX, 1000))[1], 0);
  assertEquals(u8.slice(DATA, DATA + 4096), before);
});

Deno.test("core: records are at most a quarter of the ring; st_space leaves room for a header and a full ring never looks empty", async () => {
  const { c } = await core();
  ring(c, 4096);
  c.st_init(RX, 1n);
  c.st_init(TX, 1n);
  assertEquals(c.st_space(TX), 4096 - 32);
  // A record carries at most a quarter of the ring; records fill it until no header fits.
  const records: number[] = [];
  for (let n; (n = unpack(c.st_reserve(TX, 1 << 20))[1]) > 0;) {
    c.st_commit(TX, n);
    records.push(n);
  }
  assertEquals(records, [1024, 1024, 1024, 944]);
  assertEquals(c.st_space(TX), 0);
  for (const n of records) {
    assertEquals(unpack(c.st_peek(RX, 0))[1], n);
    c.st_release(RX, n);
  }
  assertEquals(unpack(c.st_peek(RX, 0))[1], 0);
});

Deno.test("core: the message codec round-trips scifmsg fields through a ring", async () => {
  const { c } = await core();
  ring(c, 4096);
  let sent = 0;
  while (c.msg_send(TX, 1, 1089, 2, 2000, 9, 1n, 2n ** 63n, 3n, 2n ** 64n - 1n) !== 0) sent++;
  assertEquals(sent, 63, "a 4 KiB ring holds 63 messages of 64 bytes");
  for (let i = 0; i < sent; i++) {
    const at = c.msg_peek(RX);
    assert(at !== 0);
    assertEquals(
      [c.msg_src_node(at), c.msg_src_port(at), c.msg_dst_node(at), c.msg_dst_port(at), c.msg_op(at)],
      [1, 1089, 2, 2000, 9],
    );
    // WebAssembly hands an i64 to JS as a signed bigint: the bits are the u64.
    assertEquals([0, 1, 2, 3].map((w) => BigInt.asUintN(64, c.msg_payload(at, w))), [
      1n,
      2n ** 63n,
      3n,
      2n ** 64n - 1n,
    ]);
    c.msg_release(RX);
  }
  assertEquals(c.msg_peek(RX), 0);
});

Deno.test("core: the reader publishes lazily: when the writer waits, after a quarter of the ring, or on st_publish", async () => {
  const { c } = await core();
  ring(c, 4096);
  c.st_init(RX, 7n);
  c.st_init(TX, 7n);
  const full = c.st_space(TX);
  const send = (n: number) => c.st_commit(TX, unpack(c.st_reserve(TX, n))[1]);
  const recvAll = () => c.st_release(RX, unpack(c.st_peek(RX, 0))[1]);
  send(100);
  assertEquals(recvAll(), 0);
  assert(c.st_space(TX) < full, "a small record's space is not published at once");
  c.st_publish(RX);
  assertEquals(c.st_space(TX), full, "st_publish publishes it");
  // A writer that says it waits gets each record's space at once, and a notification.
  send(100);
  c.rb_set_waiting(TX, 1);
  assertEquals(recvAll(), 1);
  assertEquals(c.st_space(TX), full);
  c.rb_set_waiting(TX, 0);
  // A quarter of the ring consumed is published without being asked.
  for (let i = 0; i < 8; i++) {
    send(100);
    recvAll();
  }
  assert(c.st_space(TX) > full - 1024, "more than a quarter of the ring stayed unpublished");
});

Deno.test("core: a view stored over (any constant field, or copied from another address) is broken: every call says so and stores nothing", async () => {
  const { c, u8, i32 } = await core();
  // Fields of a descriptor (core-as/rb.ts): base, size, read cell, write cell, wait own,
  // wait peer, the key's two words. The moving offsets (16, 20, 32, 48..63) are not sealed.
  const sealed = [0, 4, 8, 12, 24, 28, 40, 44];
  const check = (what: string) => {
    const before = u8.slice(0, DATA + 8192);
    assertEquals(c.rb_sealed(TX), 0, what);
    assertEquals(c.st_reserve(TX, 10), -1, what);
    assertEquals(c.st_commit(TX, 10), -1, what);
    assertEquals(c.st_space(TX), -1, what);
    assertEquals(c.st_spin_space(TX, 10), -1, what);
    assertEquals(c.rb_space(TX), 0, what);
    assertEquals(c.rb_write(TX, 0x20000, 10), -1, what);
    assertEquals(c.rb_commit(TX), 0, what);
    assertEquals(c.msg_send(TX, 1, 2, 3, 4, 5, 0n, 0n, 0n, 0n), 0, what);
    c.rb_set_waiting(TX, 1);
    c.rb_retarget(TX, 0x8300, 0x8380);
    c.st_init(TX, 5n);
    // Everything but the descriptor's own moving fields is as it was.
    const after = u8.slice(0, DATA + 8192);
    for (let i = 0; i < after.length; i++) {
      if (i >= TX && i < TX + 64) continue;
      if (after[i] !== before[i]) throw new Error(`${what}: byte ${i} changed`);
    }
  };
  for (const f of sealed) {
    ring(c, 4096);
    c.st_init(TX, 77n);
    assertEquals(c.rb_sealed(TX), 1);
    i32[(TX + f) >> 2] ^= 1 << (f % 31);
    check(`field ${f}`);
  }
  // A whole view copied to another address is not a view there.
  ring(c, 4096);
  c.st_init(RX, 77n);
  u8.copyWithin(TX, RX, RX + 64);
  check("copied");
  // The reader's calls too; and offsets stored over stay inside the ring (no trap, no store out).
  ring(c, 4096);
  c.st_init(RX, 77n);
  c.st_init(TX, 77n);
  for (const f of [16, 20, 32, 56, 60]) i32[(RX + f) >> 2] = 0x7fff_fff3 + f;
  for (const f of [16, 20, 32]) i32[(TX + f) >> 2] = 0x7fff_fff1 + f;
  const [at, n] = unpack(c.st_reserve(TX, 100));
  assert(at < 4096 && n <= 1024);
  assert(c.st_peek(RX, 0) === -1, "a record length beyond a quarter of the ring is refused");
  i32[(RX + 56) >> 2] = 0;
  assertEquals(c.st_peek(RX, 0), 0);
  c.rb_init(RX, DATA, 4096, READ_CELL, WRITE_CELL, READER_WAITING, WRITER_WAITING);
  i32[(RX + 8) >> 2] = 0x7fff_0001; // a wild, misaligned cell: no trap, the call refuses
  assertEquals(c.st_peek(RX, 0), -1);
  assertEquals(c.st_release(RX, 1), -1);
  assertEquals(c.st_publish(RX), -1);
  assertEquals(c.rb_update_read_ptr(RX), -1);
  assertEquals(c.rb_count(RX), 0);
  assertEquals(c.msg_peek(RX), 0);
});
