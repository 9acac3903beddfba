// Loads the lab engines (Go compiled to WebAssembly) once, then mounts this page's widget.
// Everything a learner pastes or opens is analysed here, in the browser; nothing is uploaded.

const root = document.querySelector("[data-lab-engine]");

/** An engine's complaint about its input: where (offset/field) and what. */
export class LabError extends Error {
  constructor(e) {
    super(e.message || "the lab engine rejected the input");
    this.offset = typeof e.offset === "number" ? e.offset : -1;
    this.field = e.field || "";
  }
}

let ready = null;

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const s = document.createElement("script");
    s.src = src;
    s.onload = resolve;
    s.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.append(s);
  });
}

/** Starts the Go runtime once; later calls share the same promise. */
export function loadEngines(execURL, wasmURL) {
  if (ready) return ready;
  ready = (async () => {
    if (typeof WebAssembly !== "object") throw new Error("this browser has no WebAssembly");
    if (!globalThis.Go) await loadScript(execURL);
    const go = new globalThis.Go();
    const waitReady = new Promise((resolve) => {
      if (globalThis.ntatlasLabReady) resolve();
      else globalThis.ntatlasLabOnReady = resolve;
    });
    const resp = fetch(wasmURL);
    let instance;
    try {
      ({ instance } = await WebAssembly.instantiateStreaming(resp, go.importObject));
    } catch (e) {
      // Some servers or proxies change the content type; fall back to bytes.
      const buf = await (await fetch(wasmURL)).arrayBuffer();
      ({ instance } = await WebAssembly.instantiate(buf, go.importObject));
    }
    go.run(instance); // resolves only when the Go program exits, which it never does
    await waitReady;
  })();
  return ready;
}

function unwrap(text) {
  const env = JSON.parse(text);
  if (env.error) throw new LabError(env.error);
  return env.result;
}

/** The API a widget gets: run an engine operation on a request object. */
export const lab = {
  async run(engine, op, request) {
    await ready;
    return unwrap(globalThis.ntatlasLab(engine, op, JSON.stringify(request ?? {})));
  },
  async runBytes(engine, op, bytes, options) {
    await ready;
    return unwrap(globalThis.ntatlasLabBytes(engine, op, bytes, JSON.stringify(options ?? {})));
  },
};

// An exercise check is recorded in the learner's progress. The engine ran here, in the
// browser; only the verdict (exercise id, pass or fail) is sent, never the learner's input.
function exerciseOf(op, req) {
  if (!req) return "";
  if (op === "check" && typeof req.exercise === "string") return req.exercise;
  if ((op === "exercise" || op === "check-puzzle") && typeof req.id === "string" && req.id !== "custom") return req.id;
  return "";
}

const offline = "offline" in document.documentElement.dataset;

function recordResult(labSlug, op, req, result) {
  if (offline) return;
  const ex = exerciseOf(op, req);
  const passed = typeof result?.correct === "boolean" ? result.correct : typeof result?.pass === "boolean" ? result.pass : undefined;
  if (!ex || passed === undefined || !labSlug) return;
  fetch(`/api/v1/me/labs/${encodeURIComponent(labSlug)}/${encodeURIComponent(ex)}`, {
    method: "POST", headers: { "Content-Type": "application/json" }, credentials: "same-origin", body: JSON.stringify({ passed }),
  }).then((res) => { if (res.ok) showResults(labSlug); }).catch(() => {});
}

async function showResults(labSlug) {
  const box = root?.querySelector("[data-lab-results]");
  if (!box || offline) return;
  let p;
  try {
    const res = await fetch("/api/v1/me/progress", { cache: "no-store", credentials: "same-origin" });
    if (!res.ok) return;
    p = await res.json();
  } catch (e) { return; }
  const rs = (p.labs || []).filter((r) => r.lab === labSlug);
  if (!rs.length) return;
  const passed = rs.filter((r) => r.passed).length;
  const head = document.createElement("p");
  head.textContent = `Your checked exercises: ${passed} of ${rs.length} passed (saved in `;
  const a = document.createElement("a");
  a.href = "/me";
  a.textContent = "My progress";
  head.append(a, ").");
  const ul = document.createElement("ul");
  for (const r of rs) {
    const li = document.createElement("li");
    li.dataset.exercise = r.exercise;
    li.textContent = `${r.exercise}: ${r.passed ? "passed" : "not yet"} (${new Date(r.at).toLocaleString()})`;
    ul.append(li);
  }
  box.replaceChildren(head, ul);
  box.hidden = false;
}

async function main() {
  if (!root) return;
  const status = root.querySelector("[data-lab-status]");
  const say = (t) => { if (status) status.textContent = t; };
  try {
    say("Loading the lab engine…");
    const t0 = performance.now();
    await loadEngines(root.dataset.wasmExec, root.dataset.wasm);
    const engine = root.dataset.labEngine;
    const mod = await import(root.dataset.widget);
    const api = {
      run: async (op, req) => {
        const r = await lab.run(engine, op, req);
        recordResult(root.dataset.lab, op, req, r);
        return r;
      },
      runBytes: (op, bytes, opts) => lab.runBytes(engine, op, bytes, opts),
      slug: root.dataset.lab,
    };
    root.dataset.readyMs = String(Math.round(performance.now() - t0));
    say("");
    if (status) status.hidden = true;
    await mod.mount(root.querySelector("[data-lab-mount]"), api);
    showResults(root.dataset.lab);
    root.dataset.ready = "true";
  } catch (e) {
    say(`The lab could not start: ${e.message}. The steps for a Windows machine below still work.`);
    root.dataset.ready = "error";
    console.error(e);
  }
}

main();
