// EVTX lab worker: runs the Go lab engines (WebAssembly) off the page's main thread, so parsing a
// large event log never freezes the page. A classic worker script, loaded by evtx.js.
//
// Protocol (messages from the page):
//   {type: "init", wasmExec, wasm}            → {type: "ready"} or {type: "fatal", message}
//   {id, op, bytes?, options}                 → {id, envelope} where envelope is the engine's
//                                               {"result": …} or {"error": {offset, field, message}}
// A message with bytes (an ArrayBuffer, transferred) makes that file the current one; later
// messages without bytes work on it, so the page hands a file over once, not once per chunk.
//
// The engine's bytes bridge copies the whole file into Go memory on every call. For "chunk" and
// "facets" the worker therefore passes only what the engine needs: the 4 KiB file header followed
// by the 64 KiB chunk slots asked for, then shifts chunk indexes and byte offsets in the answer
// back to the whole file. A chunk decodes from its own 64 KiB alone (records, templates and string
// caches live inside the chunk) and the header's flags still come along, so the answer is the one
// the whole file gives, at a cost that no longer grows with the file's size.

/* global Go, ntatlasLabBytes */
"use strict";

const HEADER = 4096;
const CHUNK = 65536;

let file = null;          // Uint8Array of the current file
let beyond = new Map();   // chunk index → beyondHeaderCount, from the last "info" on the whole file
let ready = null;         // Promise resolved when the Go runtime is up

function startEngine(wasmExec, wasm) {
  importScripts(wasmExec);
  const go = new Go();
  const waitReady = new Promise((resolve) => {
    if (globalThis.ntatlasLabReady) resolve();
    else globalThis.ntatlasLabOnReady = resolve;
  });
  return (async () => {
    let instance;
    try {
      ({ instance } = await WebAssembly.instantiateStreaming(fetch(wasm), go.importObject));
    } catch (e) {
      // A proxy may change the content type; fall back to bytes.
      const buf = await (await fetch(wasm)).arrayBuffer();
      ({ instance } = await WebAssembly.instantiate(buf, go.importObject));
    }
    go.run(instance); // never returns: the Go program waits for calls
    await waitReady;
  })();
}

function call(op, bytes, options) {
  return JSON.parse(ntatlasLabBytes("evtx", op, bytes, JSON.stringify(options || {})));
}

/** The header block plus the chunk slots first..last (inclusive), as one small file. */
function slice(first, last) {
  const start = HEADER + first * CHUNK;
  const end = Math.min(file.length, HEADER + (last + 1) * CHUNK);
  const out = new Uint8Array(HEADER + Math.max(0, end - start));
  out.set(file.subarray(0, Math.min(HEADER, file.length)), 0);
  if (end > start) out.set(file.subarray(start, end), HEADER);
  return out;
}

/** Moves chunk indexes and file offsets of a sliced answer back to the whole file. */
function shiftChunk(c, first) {
  const delta = first * CHUNK;
  c.index += first;
  c.offset += delta;
  for (const r of c.records || []) {
    r.chunk += first;
    r.offset += delta;
  }
  for (const e of c.errors || []) {
    if (e.chunk >= 0) e.chunk += first;
    if (e.offset >= HEADER) e.offset += delta;
  }
  return c;
}

function run(op, options) {
  if (!file) return { error: { offset: -1, field: "file", message: "no file is open" } };
  const o = options || {};
  if (op === "chunk" && Number.isInteger(o.index) && o.index >= 0 && file.length > HEADER) {
    const env = call("chunk", slice(o.index, o.index), { ...o, index: 0 });
    if (env.result) {
      shiftChunk(env.result, o.index);
      // Alone in the slice the chunk is always within the header's count; the whole file knows.
      env.result.beyondHeaderCount = beyond.get(o.index) === true;
    }
    else if (env.error && env.error.field === "index") env.error.message = `no chunk with index ${o.index}`;
    return env;
  }
  if (op === "facets" && Number.isInteger(o.from) && Number.isInteger(o.to) && o.from >= 0 && o.to >= o.from && file.length > HEADER) {
    // The sliced file holds exactly the range, so "from 0 to 0" (the engine's "whole file") is it.
    return call("facets", slice(o.from, o.to), { filter: o.filter || "" });
  }
  const env = call(op, file, o);
  if (op === "info" && env.result) {
    beyond = new Map((env.result.chunkTable || []).map((row) => [row.index, row.beyondHeaderCount]));
  }
  return env;
}

self.onmessage = async (ev) => {
  const m = ev.data || {};
  if (m.type === "init") {
    try {
      ready = startEngine(m.wasmExec, m.wasm);
      await ready;
      self.postMessage({ type: "ready" });
    } catch (e) {
      self.postMessage({ type: "fatal", message: String(e && e.message || e) });
    }
    return;
  }
  let envelope;
  try {
    if (!ready) throw new Error("the worker was not initialised");
    await ready;
    if (m.bytes) {
      file = new Uint8Array(m.bytes);
      beyond = new Map();
    }
    envelope = run(m.op, m.options);
  } catch (e) {
    envelope = { error: { offset: -1, field: "", message: String(e && e.message || e) } };
  }
  self.postMessage({ id: m.id, envelope });
};
