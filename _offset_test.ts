// 64-bit offsets (_offset.ts): one value has one representation (a number when it is a safe
// integer, a bigint otherwise), and the kernel's bounds on windows and mmap ranges.
import { assertEquals, assertThrows } from "@std/assert";
import {
  endsPastLongMax,
  LONG_MAX,
  mmapOverflows,
  offAdd,
  offAligned,
  offBig,
  offInPage,
  offOfBig,
  offPage,
  offsetOf,
  offText,
} from "./_offset.ts";
import { ERRNO, ScifError } from "./errors.ts";

const TOP = 2n ** 63n;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

// Moved from tests/offset_test.ts (its name kept).
Deno.test("offsets: one value, one representation; a bigint of 2^63 and up is its negative off_t; no 64-bit value is EINVAL", () => {
  assertEquals(offsetOf(5n, "o"), 5); // a safe value is a number, whichever way it came
  assertEquals(offsetOf(-0, "o"), 0);
  assertEquals(offsetOf(2n ** 53n, "o"), 2n ** 53n);
  assertEquals(offsetOf(-(2n ** 53n) + 1n, "o"), -(2 ** 53) + 1);
  assertEquals(offsetOf(2n ** 64n - 8n, "o"), -8); // the u64 a C caller passes for -8
  assertEquals(offsetOf(2n ** 63n, "o"), -(2n ** 63n));
  assertEquals(offsetOf(2n ** 63n - 1n, "o"), 2n ** 63n - 1n);
  for (const bad of [2n ** 64n, -(2n ** 63n) - 1n, 2 ** 53, 0.5, NaN, "1", null]) {
    const e = assertThrows(() => offsetOf(bad, "o"), ScifError);
    assertEquals(e.code, "EINVAL", String(bad));
  }
});

Deno.test("offOfBig: a number exactly within ±(2^53 - 1), a bigint beyond", () => {
  assertEquals(offOfBig(BigInt(MAX_SAFE)), MAX_SAFE);
  assertEquals(offOfBig(-BigInt(MAX_SAFE)), -MAX_SAFE);
  assertEquals(offOfBig(BigInt(MAX_SAFE) + 1n), BigInt(MAX_SAFE) + 1n);
  assertEquals(offOfBig(-BigInt(MAX_SAFE) - 1n), -BigInt(MAX_SAFE) - 1n);
  assertEquals(offOfBig(0n), 0);
  assertEquals(offBig(7), 7n);
  assertEquals(offBig(TOP - 1n), TOP - 1n);
});

Deno.test("offsetOf: the message of a number beyond 2^53 says to pass a bigint", () => {
  const e = assertThrows(() => offsetOf(2 ** 60, "offset"), ScifError);
  assertEquals([e.code, e.errno], ["EINVAL", ERRNO.EINVAL]);
  assertEquals(e.message.includes("pass a bigint"), true, e.message);
  const f = assertThrows(() => offsetOf(0.5, "offset"), ScifError);
  assertEquals(f.message.includes("pass a bigint"), false, f.message);
});

Deno.test("offAdd: exact across 2^53 (number to bigint and back); ENXIO past the off_t range", () => {
  assertEquals(offAdd(MAX_SAFE - 1, 1), MAX_SAFE);
  assertEquals(offAdd(MAX_SAFE, 1), BigInt(MAX_SAFE) + 1n);
  assertEquals(offAdd(BigInt(MAX_SAFE) + 1n, -1), MAX_SAFE);
  assertEquals(offAdd(TOP - 9n, 8), TOP - 1n);
  assertEquals(offAdd(-TOP, 0), -TOP);
  assertEquals(offAdd(-8, 8), 0);
  for (const [o, n] of [[TOP - 8n, 8], [-TOP, -1]] as const) {
    const e = assertThrows(() => offAdd(o, n), ScifError);
    assertEquals([e.code, e.errno], ["ENXIO", ERRNO.ENXIO]);
  }
});

Deno.test("offAligned, offPage, offInPage: the same answer for a number and a bigint, negatives floored", () => {
  assertEquals([offAligned(8192, 4096), offAligned(8193, 4096), offAligned(-4096, 4096)], [
    true,
    false,
    true,
  ]);
  assertEquals([offAligned(TOP - 4096n, 4096), offAligned(TOP - 4n, 4096), offAligned(TOP - 4n, 4)], [
    true,
    false,
    true,
  ]);
  assertEquals([offPage(0), offPage(4095), offPage(4096), offPage(-1)], [0, 0, 1, -1]);
  assertEquals([offInPage(4097), offInPage(-1), offInPage(-4096)], [1, 4095, 0]);
  assertEquals(offPage(TOP - 1n), 2 ** 51 - 1);
  assertEquals(offInPage(TOP - 1n), 4095);
  assertEquals(offPage(-TOP), -(2 ** 51));
  assertEquals(offInPage(-TOP + 5n), 5);
});

Deno.test("endsPastLongMax: a window may end at LONG_MAX's page end, 2^63 - 1 included, not beyond", () => {
  assertEquals(LONG_MAX, TOP - 1n);
  assertEquals(endsPastLongMax(TOP - 4096n, 4095), false); // ends at LONG_MAX
  assertEquals(endsPastLongMax(TOP - 4096n, 4096), true); // ends at 2^63
  assertEquals(endsPastLongMax(TOP - 8192n, 4096), false);
  assertEquals(endsPastLongMax(0, 4096), false);
  assertEquals(endsPastLongMax(-4096, 4096), false); // negative offsets are another check's
});

Deno.test("mmapOverflows: the range, its length rounded up to pages, must end below 2^64 as a u64", () => {
  assertEquals(mmapOverflows(-4096n, 4096), true); // 2^64 - 4096 + 4096
  assertEquals(mmapOverflows(-4096, 1), true); // rounded up to a page
  assertEquals(mmapOverflows(-8192, 4096), false);
  assertEquals(mmapOverflows(TOP, 4096), false); // a negative off_t, but no overflow
  assertEquals(mmapOverflows(0x10000, 4096), false);
  assertEquals(mmapOverflows(2n ** 64n - 8192n, 8192), true);
});

Deno.test("offText: decimal for a number, hexadecimal for a bigint", () => {
  assertEquals(offText(4096), "4096");
  assertEquals(offText(-8), "-8");
  assertEquals(offText(TOP - 1n), "0x7fffffffffffffff");
  assertEquals(offText(-TOP), "-0x8000000000000000");
});
