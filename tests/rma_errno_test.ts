// Every errno rule of registration, RMA and mmap, one case each, with the nodes in Workers.
// Where the kernel's code and libscif's documentation differ, the kernel decides: a protection
// mismatch is EPERM (scif_query_window), and RMA checks the connection before the flags. The
// fences' rules are in tests/fence_errno_test.ts.
import { assertEquals } from "@std/assert";
import {
  SCIF_FENCE_INIT_SELF as SELF,
  SCIF_PROT_READ,
  SCIF_PROT_WRITE,
  SCIF_RMA_SYNC as SYNC,
  SCIF_RMA_USECACHE,
  SCIF_SIGNAL_LOCAL as LOCAL,
  SCIF_SIGNAL_REMOTE as REMOTE,
} from "../mod.ts";
import { Cluster, conformance, scenarios } from "./_cluster.ts";
import { calls, PAGE, R, rmaErrnoSetting } from "./_rma_errno.ts";

/** 2^63, one past the largest off_t; 2^64, one past the largest u64. */
const TOP = 1n << 63n;
const U64 = 1n << 64n;
/** A bigint as calls() takes it. */
const big = (v: bigint) => `${v}n`;
const S = scenarios<typeof import("./_scenarios.ts")>(new URL("./_scenarios.ts", import.meta.url));
const PROT_SCIF_RW = SCIF_PROT_READ | SCIF_PROT_WRITE;

conformance("rma errno rules", async (backend, t) => {
  await using cluster = await Cluster.create({ backend, nodes: 3 });
  const { a } = await rmaErrnoSetting(cluster);

  await t.step(
    "register: EINVAL for memory whose address or length is not page aligned, or empty",
    async () => {
      assertEquals(
        await calls(a, [["register", "mem:misaligned"], ["register", "mem:short"], [
          "register",
          "mem:empty",
        ]]),
        [
          "EINVAL",
          "EINVAL",
          "EINVAL",
        ],
      );
    },
  );
  await t.step(
    "register: EINVAL for prot bits other than READ|WRITE, and for a fixed offset that is not page aligned",
    async () => {
      assertEquals(
        await calls(a, [
          ["register", "mem:spare", { prot: 4 }],
          ["register", "mem:spare", { offset: 100, fixed: true }],
          ["register", "mem:spare", { offset: -4096, fixed: true }],
          ["register", "mem:spare", { fixed: "yes" }],
        ]),
        ["EINVAL", "EINVAL", "EINVAL", "EINVAL"],
      );
    },
  );
  await t.step("register: EADDRINUSE when SCIF_MAP_FIXED overlaps a window", async () => {
    assertEquals(await calls(a, [["register", "mem:spare", { offset: 0x11000, fixed: true }]]), [
      "EADDRINUSE",
    ]);
  });
  if (backend === "emu") {
    // On hardware any page-aligned memory of the process can be registered.
    await t.step(
      "register: EFAULT for memory that is not an allocation of the network's shared memory",
      async () => {
        assertEquals(await calls(a, [["register", "mem:private"]]), ["EFAULT"]);
      },
    );
  }
  await t.step(
    "register: prot 0 is accepted (the kernel allows it; every RMA on it is then EPERM)",
    async () => {
      const [r] = await calls(a, [["register", "mem:spare", { prot: 0, offset: 0x50000, fixed: true }]]);
      assertEquals(r, "ok");
    },
  );

  await t.step("unregister: EINVAL for a zero or unaligned length or offset", async () => {
    assertEquals(
      await calls(a, [
        ["unregister", 0x10000, 0],
        ["unregister", 0x10000, 100],
        ["unregister", 0x10001, PAGE],
        ["unregister", -PAGE, PAGE],
      ]),
      [
        "EINVAL",
        "EINVAL",
        "EINVAL",
        "EINVAL",
      ],
    );
  });
  await t.step("unregister: ENXIO for a range that is not whole registered windows", async () => {
    assertEquals(
      await calls(a, [["unregister", 0x40000, PAGE], ["unregister", 0x10000, PAGE], [
        "unregister",
        0x11000,
        PAGE,
      ], ["unregister", 0x10000, 3 * PAGE]]),
      [
        "ENXIO",
        "ENXIO",
        "ENXIO",
        "ENXIO",
      ],
    );
  });

  await t.step(
    "readFrom/writeTo: ENXIO outside the peer's windows, in a hole, across the end, at a negative offset",
    async () => {
      assertEquals(
        await calls(a, [
          ["writeTo", 0x10000, 8, 0x40000, SYNC],
          ["writeTo", 0x10000, 2 * PAGE, 0x11800, SYNC], // 0x12000..0x20000 is a hole
          ["writeTo", 0x10000, 8, 0x30ffc, SYNC],
          ["readFrom", 0x10000, 8, -8, SYNC],
        ]),
        ["ENXIO", "ENXIO", "ENXIO", "ENXIO"],
      );
    },
  );
  await t.step("readFrom/writeTo: ENXIO outside our own windows", async () => {
    assertEquals(
      await calls(a, [["writeTo", 0x40000, 8, 0x10000, SYNC], ["readFrom", 0x12000 - 4, 8, 0x10000, SYNC]]),
      ["ENXIO", "ENXIO"],
    );
  });
  await t.step(
    "readFrom/writeTo: EPERM when a window's protection forbids the access (remote, then local)",
    async () => {
      assertEquals(
        await calls(a, [
          ["writeTo", 0x10000, 8, 0x20000, SYNC], // the peer's window is read-only
          ["readFrom", 0x10000, 8, 0x20000, SYNC], // reading it is fine
          ["readFrom", 0x20000, 8, 0x10000, SYNC], // our read-only window cannot receive
          ["writeTo", 0x50000, 8, 0x10000, SYNC], // our prot-0 window cannot give
        ]),
        ["EPERM", "ok", "EPERM", "EPERM"],
      );
    },
  );
  await t.step(
    "readFrom/writeTo: EINVAL for unknown flags, for SCIF_RMA_USECACHE, for length 0",
    async () => {
      assertEquals(
        await calls(a, [
          ["writeTo", 0x10000, 8, 0x10000, 0x40],
          ["writeTo", 0x10000, 8, 0x10000, SCIF_RMA_USECACHE],
          ["readFrom", 0x10000, 0, 0x10000, SYNC],
          ["readFrom", 0x10000, 1.5, 0x10000, SYNC],
        ]),
        ["EINVAL", "EINVAL", "EINVAL", "EINVAL"],
      );
    },
  );
  await t.step(
    "vreadFrom/vwriteTo: SCIF_RMA_USECACHE is accepted; ENXIO, EPERM and EINVAL as above",
    async () => {
      assertEquals(
        await calls(a, [
          ["vreadFrom", "mem:private", 0x10000, SYNC | SCIF_RMA_USECACHE],
          ["vwriteTo", "mem:private", 0x20000, SYNC],
          ["vwriteTo", "mem:private", 0x30800, SYNC],
          ["vreadFrom", "not an array", 0x10000, SYNC],
        ]),
        ["ok", "EPERM", "ENXIO", "EINVAL"],
      );
    },
  );

  await t.step(
    "mmap: EINVAL for an unaligned offset, length 0 or bad prot; ENXIO outside windows; EPERM beyond the window's prot",
    async () => {
      assertEquals(
        await calls(a, [
          ["mmap", 0x10001, PAGE, PROT_SCIF_RW],
          ["mmap", 0x10000, 0, PROT_SCIF_RW],
          ["mmap", 0x10000, PAGE, 8],
          ["mmap", 0x40000, PAGE, PROT_SCIF_RW],
          ["mmap", 0x11000, 2 * PAGE, PROT_SCIF_RW],
          ["mmap", 0x20000, PAGE, PROT_SCIF_RW],
          ["mmap", 0x20000, PAGE, SCIF_PROT_READ],
        ]),
        ["EINVAL", "EINVAL", "EINVAL", "ENXIO", "ENXIO", "EPERM", "ok"],
      );
    },
  );
  await t.step("munmap: EINVAL for a view mmap did not return", async () => {
    assertEquals(await calls(a, [["munmap", "mem:spare"], ["munmap", 5]]), ["EINVAL", "EINVAL"]);
  });

  await t.step(
    "64-bit offsets, register and unregister: EINVAL for a negative off_t (also as its u64, 2^63 and up), past LONG_MAX, or no 64-bit value",
    async () => {
      await a.run(R, "allocate", { name: "top", bytes: PAGE });
      assertEquals(
        await calls(a, [
          ["register", "mem:top", { offset: "-4096n", fixed: true }],
          ["register", "mem:top", { offset: big(TOP), fixed: true }], // -2^63 as an off_t
          ["register", "mem:top", { offset: big(U64 - 4096n), fixed: true }], // -4096 as an off_t
          ["register", "mem:top", { offset: big(U64), fixed: true }], // no 64-bit value
          ["register", "mem:top", { offset: big(-TOP - 4096n), fixed: true }],
          ["register", "mem:top", { offset: 2 ** 53, fixed: true }], // a number that is not exact
          ["register", "mem:top", { offset: big(TOP - 4096n), fixed: true }], // it would end at 2^63
          ["register", "mem:top", { offset: big(TOP - 8192n), fixed: true }], // it ends at LONG_MAX's page
          ["unregister", "-4096n", PAGE],
          ["unregister", big(U64 - 4096n), PAGE],
          ["unregister", big(U64), PAGE],
          ["unregister", big(TOP - 4096n), 2 * PAGE], // past LONG_MAX
          ["unregister", big(TOP - 12288n), PAGE], // in range, no window there
          ["unregister", big(TOP - 8192n), PAGE],
        ]),
        [
          "EINVAL",
          "EINVAL",
          "EINVAL",
          "EINVAL",
          "EINVAL",
          "EINVAL",
          "EINVAL",
          "ok",
          "EINVAL",
          "EINVAL",
          "EINVAL",
          "EINVAL",
          "ENXIO",
          "ok",
        ],
      );
    },
  );
  await t.step(
    "64-bit offsets, RMA and fenceSignal: ENXIO for negative offsets and ranges past 2^63 (the window walk), EINVAL for no 64-bit value",
    async () => {
      assertEquals(
        await calls(a, [
          ["writeTo", "65536n", 8, "65536n", SYNC], // small bigints are the numbers' offsets
          ["writeTo", 0x10000, 8, "-8n", SYNC],
          ["writeTo", 0x10000, 8, big(U64 - 8n), SYNC], // -8 as an off_t
          ["writeTo", 0x10000, 8, big(TOP), SYNC],
          ["writeTo", 0x10000, 8, big(U64), SYNC],
          ["writeTo", 0x10000, 8, 2 ** 53, SYNC],
          ["readFrom", 0x10000, 16, big(TOP - 8n), SYNC], // offset + length passes 2^63
          ["readFrom", big(TOP - 8n), 16, 0x10000, SYNC], // ours, likewise
          ["readFrom", "-8n", 8, 0x10000, SYNC],
          ["vreadFrom", "mem:private", big(TOP - 8n), SYNC],
          ["vwriteTo", "mem:private", "-4096n", SYNC],
          ["vreadFrom", "mem:private", big(-TOP - 1n), SYNC],
          ["fenceSignal", "-8n", "1n", 0, "0n", SELF | LOCAL],
          ["fenceSignal", big(TOP - 4n), "1n", 0, "0n", SELF | LOCAL], // its 8 bytes pass 2^63
          ["fenceSignal", 0, "0n", big(U64 - 8n), "1n", SELF | REMOTE],
          ["fenceSignal", big(TOP - 6n), "1n", 0, "0n", SELF | LOCAL], // not 4-byte aligned
          ["fenceSignal", 0, "0n", big(U64), "1n", SELF | REMOTE],
        ]),
        [
          "ok",
          "ENXIO",
          "ENXIO",
          "ENXIO",
          "EINVAL",
          "EINVAL",
          "ENXIO",
          "ENXIO",
          "ENXIO",
          "ENXIO",
          "ENXIO",
          "EINVAL",
          "ENXIO",
          "ENXIO",
          "ENXIO",
          "EINVAL",
          "EINVAL",
        ],
      );
    },
  );
  await t.step(
    "64-bit offsets, mmap: EOVERFLOW for a range past 2^64 as mmap's unsigned file offset, else ENXIO for a negative one",
    async () => {
      assertEquals(
        await calls(a, [
          ["mmap", "-4096n", PAGE, SCIF_PROT_READ], // 2^64 - 4096 + 4096 reaches 2^64
          ["mmap", "-4096n", 1, SCIF_PROT_READ], // the length rounds up to a page
          ["mmap", big(U64 - 8192n), 2 * PAGE, SCIF_PROT_READ],
          ["mmap", "-8192n", PAGE, SCIF_PROT_READ],
          ["mmap", big(TOP), PAGE, SCIF_PROT_READ],
          ["mmap", big(U64), PAGE, SCIF_PROT_READ],
          ["mmap", "65536n", PAGE, SCIF_PROT_READ],
        ]),
        ["EOVERFLOW", "EOVERFLOW", "EOVERFLOW", "ENXIO", "ENXIO", "EINVAL", "ok"],
      );
    },
  );

  await t.step("free: EINVAL for memory allocate() did not return, or freed already", async () => {
    assertEquals(
      await calls(a, [["free", "mem:misaligned"], ["free", "mem:private"], ["free", "mem:spare"], [
        "free",
        "mem:spare",
      ]], ""),
      [
        "EINVAL",
        "EINVAL",
        "ok",
        "EINVAL",
      ],
    );
  });

  await t.step(
    "every call: ENOTCONN on an endpoint that is not connected (after the argument checks)",
    async () => {
      const c = await cluster.spawn(2);
      await c.run(S, "listen", { port: 3000, backlog: 1 });
      await c.run(R, "allocate", { name: "m", bytes: PAGE });
      assertEquals(
        await calls(c, [
          ["register", "mem:m"],
          ["unregister", 0x10000, PAGE],
          ["readFrom", 0, 8, 0, SYNC],
          ["writeTo", 0, 8, 0, 0x40], // the connection is checked before the flags
          ["vreadFrom", "mem:m", 0, 0],
          ["vwriteTo", "mem:m", 0, 0],
          ["fenceMark", SELF],
          ["fenceWait", 0],
          ["fenceSignal", 0, "0n", 0, "0n", SELF | LOCAL],
          ["mmap", 0, PAGE, SCIF_PROT_READ],
          // Offsets whose answer is the window walk's come after the connection check; mmap's
          // overflow (the mm layer's) and register's fixed-offset checks come before it.
          ["readFrom", "-8n", 8, big(TOP - 8n), SYNC],
          ["mmap", "-8192n", PAGE, SCIF_PROT_READ],
          ["mmap", "-4096n", PAGE, SCIF_PROT_READ],
          ["register", "mem:m", { offset: "-4096n", fixed: true }],
        ], "listener"),
        [
          "ENOTCONN",
          "ENOTCONN",
          "ENOTCONN",
          "ENOTCONN",
          "ENOTCONN",
          "ENOTCONN",
          "ENOTCONN",
          "ENOTCONN",
          "ENOTCONN",
          "ENOTCONN",
          "ENOTCONN",
          "ENOTCONN",
          "EOVERFLOW",
          "EINVAL",
        ],
      );
    },
  );
});
