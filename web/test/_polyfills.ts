// What the test files need of a runtime that Firefox ESR 140 lacks, evaluated before anything
// else of the browser suite (the first import of _deno_shim.ts and node_worker.ts). Their
// `using` declarations are lowered by the build (tools/build_web.ts); the lowered code looks
// a disposer up by Symbol.dispose / Symbol.asyncDispose, or by Symbol.for("Symbol.dispose") /
// Symbol.for("Symbol.asyncDispose") where those do not exist. Classes that define their
// disposers after this see the same symbols. Nothing else is filled in: what the library
// itself needs, it must bring (its own bundle, web/dist/scif.js, gets no polyfill).
for (const name of ["dispose", "asyncDispose"] as const) {
  if (!(name in Symbol)) Object.defineProperty(Symbol, name, { value: Symbol.for(`Symbol.${name}`) });
}
