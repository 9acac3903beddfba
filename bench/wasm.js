// Measures the lab bundle under Node: time to compile and start, and EVTX parsing of a file in
// WebAssembly (what the browser lab does). usage: node bench/wasm.js [file.evtx]
"use strict";
const fs = require("fs");
const path = require("path");
globalThis.fs = fs;
globalThis.performance ??= require("perf_hooks").performance;
globalThis.crypto ??= require("crypto");
require(path.resolve(__dirname, "../internal/web/static/labs/wasm_exec.js"));
const wasm = fs.readFileSync(path.resolve(__dirname, "../internal/web/static/labs/labs.wasm"));
const file = process.argv[2];
const t0 = performance.now();
const go = new Go();
globalThis.ntatlasLabOnReady = () => {
  const ready = performance.now() - t0;
  console.log(`labs.wasm: ${wasm.length} bytes, compiled and ready in ${ready.toFixed(0)} ms`);
  if (file) {
    const data = new Uint8Array(fs.readFileSync(file));
    for (const op of ["info", "chunk", "info", "chunk", "info"]) {
      const t1 = performance.now();
      const out = JSON.parse(globalThis.ntatlasLabBytes("evtx", op, data, op === "chunk" ? '{"index":0,"format":"both"}' : "{}"));
      const ms = performance.now() - t1;
      const n = out.result ? (out.result.records ?? (out.result.records || []).length) : 0;
      console.log(`evtx ${op} on ${path.basename(file)} (${data.length} bytes): ${ms.toFixed(0)} ms${out.error ? " error " + out.error.message : ""}`);
    }
  }
  process.exit(0);
};
WebAssembly.instantiate(wasm, go.importObject).then(({ instance }) => go.run(instance));
