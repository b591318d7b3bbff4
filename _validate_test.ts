// The argument checks every backend shares (_validate.ts): each one's boundary, and EINVAL.
import { assertEquals, assertRejects, assertThrows } from "@std/assert";
import {
  blockOf,
  bytesOf,
  integerOf,
  nodeIdOf,
  pageAligned,
  portOf,
  rejected,
  stringOf,
  u64Of,
} from "./_validate.ts";
import { ERRNO, ScifError } from "./errors.ts";

/** Asserts that `fn` throws EINVAL (22) whose message names `what`. */
function assertEinval(fn: () => unknown, what = ""): void {
  const e = assertThrows(fn, ScifError);
  assertEquals([e.code, e.errno], ["EINVAL", ERRNO.EINVAL]);
  if (what) assertEquals(e.message.includes(what), true, e.message);
}

Deno.test("blockOf: undefined and an object without block are true; block must be a boolean", () => {
  assertEquals(blockOf(undefined), true);
  assertEquals(blockOf({}), true);
  assertEquals(blockOf({ block: undefined }), true);
  assertEquals(blockOf({ block: false }), false);
  assertEquals(blockOf({ block: true }), true);
  assertEinval(() => blockOf(null as never), "options");
  assertEinval(() => blockOf(1 as never), "options");
  assertEinval(() => blockOf({ block: 0 as never }), "block");
  assertEinval(() => blockOf({ block: "yes" as never }), "block");
});

Deno.test("bytesOf: a Uint8Array, nothing else (not an ArrayBuffer, not another view)", () => {
  const b = new Uint8Array(2);
  assertEquals(bytesOf(b, "data"), b);
  assertEquals(bytesOf(new Uint8Array(0), "data").length, 0);
  assertEinval(() => bytesOf(new ArrayBuffer(2), "data"), "data must be a Uint8Array");
  assertEinval(() => bytesOf(new Int8Array(2), "data"));
  assertEinval(() => bytesOf(new DataView(new ArrayBuffer(2)), "data"));
  assertEinval(() => bytesOf([1, 2], "data"));
});

Deno.test("portOf: an integer in [0, SCIF_PORT_MAX]", () => {
  assertEquals(portOf(0, "port"), 0);
  assertEquals(portOf(65535, "port"), 65535);
  assertEquals(portOf(-0, "port"), 0);
  for (const v of [-1, 65536, 1.5, NaN, Infinity, "80", 80n, null]) {
    assertEinval(() => portOf(v, "port"), "port");
  }
});

Deno.test("nodeIdOf: any integer (whether it names a node is the backend's ENODEV)", () => {
  assertEquals(nodeIdOf(0, "node"), 0);
  assertEquals(nodeIdOf(-1, "node"), -1);
  assertEquals(nodeIdOf(65535, "node"), 65535);
  for (const v of [0.5, NaN, Infinity, "1", 1n, undefined]) {
    assertEinval(() => nodeIdOf(v, "node"), "node id");
  }
});

Deno.test("stringOf: a string, or the fallback for undefined", () => {
  assertEquals(stringOf("x", "name", "d"), "x");
  assertEquals(stringOf("", "name", "d"), "");
  assertEquals(stringOf(undefined, "name", "d"), "d");
  for (const v of [null, 1, {}, Symbol("s")]) {
    assertEinval(() => stringOf(v, "name", "d"), "name must be a string");
  }
});

Deno.test("integerOf: a safe integer at least min", () => {
  assertEquals(integerOf(Number.MAX_SAFE_INTEGER, "n"), Number.MAX_SAFE_INTEGER);
  assertEquals(integerOf(Number.MIN_SAFE_INTEGER, "n"), Number.MIN_SAFE_INTEGER);
  assertEquals(integerOf(5, "n", 5), 5);
  assertEinval(() => integerOf(4, "n", 5), "n must be an integer >= 5, got 4");
  assertEinval(() => integerOf(2 ** 53, "n"), "n must be an integer, got");
  assertEinval(() => integerOf(1.5, "n"));
  assertEinval(() => integerOf(1n, "n"));
  assertEinval(() => integerOf("1", "n"));
});

Deno.test("u64Of: a bigint in [0, 2^64), or a safe non-negative number", () => {
  assertEquals(u64Of(0, "v"), 0n);
  assertEquals(u64Of(Number.MAX_SAFE_INTEGER, "v"), BigInt(Number.MAX_SAFE_INTEGER));
  assertEquals(u64Of((1n << 64n) - 1n, "v"), (1n << 64n) - 1n);
  assertEquals(u64Of(0n, "v"), 0n);
  for (const v of [-1, -1n, 1n << 64n, 2 ** 53, 0.5, "1"]) {
    assertEinval(() => u64Of(v, "v"), "v must be a u64");
  }
});

Deno.test("pageAligned: a multiple of 4096", () => {
  assertEquals(pageAligned(0, "length"), 0);
  assertEquals(pageAligned(8192, "length"), 8192);
  assertEquals(pageAligned(-4096, "length"), -4096);
  assertEinval(() => pageAligned(4095, "length"), "length 4095 is not page aligned (4096)");
  assertEinval(() => pageAligned(4097, "length"));
});

Deno.test("rejected: a synchronous throw becomes a rejection; a promise passes through", async () => {
  const e = await assertRejects(
    () => rejected(() => Promise.resolve(bytesOf(1, "into"))),
    ScifError,
    "into must be a Uint8Array",
  );
  assertEquals(e.errno, ERRNO.EINVAL);
  let threw = false;
  const p = (() => {
    try {
      return rejected<number>(() => {
        throw new ScifError("EBADF");
      });
    } catch {
      threw = true;
    }
  })();
  assertEquals(threw, false);
  await assertRejects(() => p!, ScifError, "EBADF");
  assertEquals(await rejected(() => Promise.resolve(7)), 7);
});
