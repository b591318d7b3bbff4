// Every errno rule of the fences — fenceMark, fenceWait, fenceSignal — one case each, with the
// nodes in Workers. Where the kernel's code and libscif's documentation differ, the kernel
// decides: fence_signal offsets need 4-byte alignment, and a window's protection is EPERM
// (scif_query_window). The 64-bit offsets of fenceSignal are with the others', in
// tests/rma_errno_test.ts.
import { assertEquals } from "@std/assert";
import {
  SCIF_FENCE_INIT_PEER as PEER,
  SCIF_FENCE_INIT_SELF as SELF,
  SCIF_SIGNAL_LOCAL as LOCAL,
  SCIF_SIGNAL_REMOTE as REMOTE,
} from "../mod.ts";
import { Cluster, conformance } from "./_cluster.ts";
import { calls, PAGE, rmaErrnoSetting } from "./_rma_errno.ts";

conformance("rma errno rules: fences", async (backend, t) => {
  await using cluster = await Cluster.create({ backend, nodes: 3 });
  const { a } = await rmaErrnoSetting(cluster);

  await t.step("fenceMark: EINVAL unless exactly one of INIT_SELF and INIT_PEER", async () => {
    assertEquals(
      await calls(a, [["fenceMark", 0], ["fenceMark", SELF | PEER], ["fenceMark", 4], ["fenceMark", SELF], [
        "fenceMark",
        PEER,
      ]]),
      [
        "EINVAL",
        "EINVAL",
        "EINVAL",
        "ok",
        "ok",
      ],
    );
  });
  await t.step("fenceWait: EINVAL for what cannot be a mark", async () => {
    assertEquals(
      await calls(a, [["fenceWait", -1], ["fenceWait", 2 ** 32], ["fenceWait", 0.5], ["fenceWait", 0]]),
      ["EINVAL", "EINVAL", "EINVAL", "ok"],
    );
  });
  await t.step("fenceSignal: EINVAL for bad flags and offsets that are not 4-byte aligned", async () => {
    assertEquals(
      await calls(a, [
        ["fenceSignal", 0x10000, "1n", 0x10000, "1n", LOCAL],
        ["fenceSignal", 0x10000, "1n", 0x10000, "1n", SELF | PEER | LOCAL],
        ["fenceSignal", 0x10000, "1n", 0x10000, "1n", SELF],
        ["fenceSignal", 0x10000, "1n", 0x10000, "1n", SELF | LOCAL | 0x100],
        ["fenceSignal", 0x10002, "1n", 0x10000, "1n", SELF | LOCAL],
        ["fenceSignal", 0x10000, "1n", 0x10006, "1n", SELF | REMOTE],
        ["fenceSignal", 0x10004, "1n", 0x10000, "1n", SELF | LOCAL],
      ]),
      ["EINVAL", "EINVAL", "EINVAL", "EINVAL", "EINVAL", "EINVAL", "ok"],
    );
  });
  await t.step(
    "fenceSignal: ENXIO outside a window or across its end; EPERM in a read-only window",
    async () => {
      assertEquals(
        await calls(a, [
          ["fenceSignal", 0x40000, "1n", 0, "0n", SELF | LOCAL],
          ["fenceSignal", 0, "0n", 0x10ffc + PAGE, "1n", SELF | REMOTE],
          ["fenceSignal", 0, "0n", 0x20000, "1n", SELF | REMOTE],
          ["fenceSignal", 0x20000, "1n", 0, "0n", SELF | LOCAL],
        ]),
        ["ENXIO", "ENXIO", "EPERM", "EPERM"],
      );
    },
  );
});
