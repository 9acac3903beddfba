// Runs transcript cases through the WebAssembly bundle under Node, as a browser page would.
// usage: node wasm_driver.js WASM_EXEC.js LABS.wasm CASES.json OUT.json
"use strict";
const fs = require("fs");
globalThis.fs = fs;
globalThis.TextEncoder = require("util").TextEncoder;
globalThis.TextDecoder = require("util").TextDecoder;
globalThis.performance ??= require("perf_hooks").performance;
globalThis.crypto ??= require("crypto");
require(process.argv[2]);
const [wasmPath, casesPath, outPath] = process.argv.slice(3);
const go = new Go();
const cases = JSON.parse(fs.readFileSync(casesPath, "utf8"));
globalThis.ntatlasLabOnReady = () => {
  const t0 = Date.now();
  const out = cases.map((c) => JSON.parse(globalThis.ntatlasLab(c.engine, c.op, c.request)));
  fs.writeFileSync(outPath, JSON.stringify({ results: out, ms: Date.now() - t0 }));
  process.exit(0);
};
WebAssembly.instantiate(fs.readFileSync(wasmPath), go.importObject).then(({ instance }) => go.run(instance))
  .catch((e) => { console.error(e); process.exit(1); });
