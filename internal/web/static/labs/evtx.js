// EVTX lab: open a Windows event log (.evtx) from your own machine and read it the way forensic
// tools do: file header, chunk table, records page by page, facets, search, one
// record's XML and JSON side by side, and every damaged place named by chunk, record id and byte
// offset. The parser is the Go engine compiled to WebAssembly, run in a Web Worker
// (evtx-worker.js) so that parsing never freezes the page. Files are read locally; nothing is
// uploaded. No innerHTML anywhere: every node is built and filled with textContent.

import { badge, h, idGen } from "./dom.js";

const BATCH = 256;                  // chunks (16 MiB of log) parsed per "load" step
const PAGE = 25;                    // records per table page
const MAX_FILE = 512 * 1024 * 1024; // what one browser tab can reasonably hold
// Standard event levels (StandardEventLevel, winmeta.xml):
// https://learn.microsoft.com/en-us/dotnet/api/system.diagnostics.eventing.reader.standardeventlevel
const LEVELS = { 0: "LogAlways", 1: "Critical", 2: "Error", 3: "Warning", 4: "Information", 5: "Verbose" };

// ---------- DOM helpers ----------

const nextId = idGen("evtx");
const claim = badge;

function table(caption, heads, rows, cls) {
  return h("div", { class: "lab-scroll" },
    h("table", { class: `lab-table ${cls || ""}` },
      caption ? h("caption", {}, caption) : null,
      h("thead", {}, h("tr", {}, heads.map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, rows)));
}

const hex = (n) => "0x" + Number(n).toString(16).toUpperCase();
const plural = (n, one, many) => `${n.toLocaleString("en")} ${n === 1 ? one : many || one + "s"}`;
const levelText = (l) => (LEVELS[l] ? `${l} ${LEVELS[l]}` : String(l));
const timeText = (t) => (t ? t.replace("T", " ").replace(/Z$/, "") : "—");

/** The engine's complaint about its input: where (offset/field) and what. */
class EvtxError extends Error {
  constructor(e) {
    super(e.message || "the EVTX engine rejected the input");
    this.offset = typeof e.offset === "number" ? e.offset : -1;
    this.field = e.field || "";
  }
}

// ---------- the engine: in a Web Worker, or on the page when workers are unavailable ----------

/** The worker's URL next to this module; the content hash of this module keeps caches honest. */
function workerURL() {
  const m = /\.([0-9a-f]{10})\.js$/.exec(new URL(import.meta.url).pathname);
  const u = new URL("evtx-worker.js", import.meta.url);
  if (m) u.searchParams.set("v", m[1]);
  return u;
}

class Engine {
  constructor(section, api) {
    this.api = api;
    this.pending = new Map();
    this.seq = 0;
    this.fileOnPage = null; // the fallback keeps the bytes here
    this.mode = "worker";
    this.ready = new Promise((resolve) => {
      let w;
      try {
        w = new Worker(workerURL());
      } catch (e) {
        this.fallBack(resolve);
        return;
      }
      this.worker = w;
      w.onmessage = (ev) => {
        const m = ev.data;
        if (m.type === "ready") { resolve(); return; }
        if (m.type === "fatal") { this.fallBack(resolve); return; }
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.envelope.error) p.reject(new EvtxError(m.envelope.error));
        else p.resolve(m.envelope.result);
      };
      w.onerror = (ev) => {
        ev.preventDefault();
        for (const p of this.pending.values()) p.reject(new Error("the parser worker stopped"));
        this.pending.clear();
        this.fallBack(resolve);
      };
      w.postMessage({ type: "init", wasmExec: section.dataset.wasmExec, wasm: section.dataset.wasm });
    });
  }

  fallBack(resolve) {
    if (this.worker) this.worker.terminate();
    this.worker = null;
    this.mode = "page";
    resolve();
  }

  /** Runs an op; bytes (an ArrayBuffer) replace the current file and are handed over, not copied. */
  async call(op, options, bytes) {
    await this.ready;
    if (this.mode === "page") {
      if (bytes) this.fileOnPage = new Uint8Array(bytes);
      if (!this.fileOnPage) throw new EvtxError({ message: "no file is open" });
      return this.api.runBytes(op, this.fileOnPage, options);
    }
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, op, bytes, options }, bytes ? [bytes] : []);
    });
  }
}

// ---------- the widget ----------

export async function mount(el, api) {
  const section = el.closest("[data-lab-engine]");
  const engine = new Engine(section, api);
  const st = {
    gen: 0, busy: false, stop: false,
    name: "", size: 0,
    info: null, chunks: new Map(), loaded: 0, // loaded = rows of the chunk table parsed so far
    all: [], filter: "", keys: null, search: "", view: "all", page: 0, facets: null,
  };

  // --- source: file input and drop zone (the page ships no logs: the learner brings one) ---
  const fileIn = h("input", { type: "file", id: nextId("file"), accept: ".evtx,application/octet-stream", "data-evtx": "file" });
  const drop = h("div", { class: "evtx-drop", "data-evtx": "drop" },
    h("label", { for: fileIn.id }, "Open a .evtx file"), fileIn,
    h("p", { class: "evtx-hint" }, "…or drop one here. It is read by this page, in your browser, and never uploaded."),
    h("p", { class: "evtx-hint", "data-evtx": "howto" }, "No file at hand? On Windows, export a log from a command prompt: ",
      h("code", { class: "lab-mono" }, "wevtutil epl Application C:\\temp\\app.evtx"),
      " (the folder must exist; the Security log needs an elevated prompt), then open C:\\temp\\app.evtx here."));
  const stopBtn = h("button", { type: "button", class: "secondary", "data-action": "stop", disabled: true, hidden: true }, "Stop");
  const progress = h("progress", { class: "lab-progress", "aria-label": "Parsing progress", hidden: true });
  const status = h("p", { class: "evtx-status", role: "status", "aria-live": "polite", "data-evtx": "status" },
    "Open a .evtx file to begin.");
  const out = h("div", { class: "evtx-out", "data-evtx": "out" });

  el.append(
    h("div", { class: "evtx-source" }, drop),
    h("div", { class: "evtx-progress" }, progress, stopBtn),
    status, out);

  const say = (t) => { status.textContent = t; };

  // --- load a file ---
  async function load(buffer, name) {
    const gen = ++st.gen;
    Object.assign(st, { name, size: buffer.byteLength, info: null, chunks: new Map(), loaded: 0, all: [],
      filter: "", keys: null, search: "", view: "all", page: 0, facets: null, stop: false });
    out.replaceChildren();
    setBusy(true);
    progress.removeAttribute("value");
    say(`Reading the header and chunk table of ${name}…`);
    const t0 = performance.now();
    try {
      st.info = await engine.call("info", {}, buffer);
    } catch (e) {
      if (gen !== st.gen) return;
      setBusy(false);
      out.replaceChildren(fileError(e, name));
      say(`${name} could not be read.`);
      return;
    }
    if (gen !== st.gen) return;
    renderAll();
    await loadMore(gen, t0);
  }

  async function loadMore(gen, t0) {
    const rows = st.info.chunkTable;
    const end = Math.min(rows.length, st.loaded + BATCH);
    // A filter's matches cover the chunks loaded when it was applied; start over without it.
    Object.assign(st, { filter: "", keys: null, page: 0, stop: false });
    setBusy(true);
    progress.max = Math.max(1, end);
    progress.value = st.loaded;
    t0 = t0 || performance.now();
    for (let i = st.loaded; i < end; i++) {
      if (st.stop || gen !== st.gen) break;
      const row = rows[i];
      let c;
      try {
        c = await engine.call("chunk", { index: row.index, format: "xml" });
      } catch (e) {
        c = { index: row.index, records: [], errors: [{ chunk: row.index, offset: row.offset, message: e.message }] };
      }
      if (gen !== st.gen) return;
      st.chunks.set(row.index, c);
      for (const r of c.records) st.all.push(r);
      st.loaded = i + 1;
      progress.value = st.loaded;
      say(`Parsed chunk ${st.loaded} of ${rows.length} — ${plural(st.all.length, "record")} so far.`);
    }
    if (gen !== st.gen) return;
    const ms = Math.round(performance.now() - t0);
    const stopped = st.stop && st.loaded < end;
    setBusy(false);
    await refreshFacets(gen);
    if (gen !== st.gen) return;
    renderAll();
    const rec = st.all.filter((r) => r.recovered).length;
    const got = `${plural(st.all.length - rec, "record")}${rec ? ` (+${rec} recovered)` : ""}`;
    say(stopped
      ? `Stopped after ${st.loaded} of ${rows.length} chunks: ${got} loaded.`
      : `Parsed ${got} in ${plural(st.loaded, "chunk")} of ${rows.length} in ${ms} ms.`);
  }

  function setBusy(b) {
    st.busy = b;
    progress.hidden = !b;
    stopBtn.disabled = !b;
    stopBtn.hidden = !b;
    section.dataset.evtxBusy = b ? "true" : "false";
  }

  stopBtn.addEventListener("click", () => { st.stop = true; say("Stopping after the current chunk…"); });

  async function openFile(f) {
    if (!f) return;
    if (f.size > MAX_FILE) {
      out.replaceChildren(h("p", { class: "lab-error", role: "alert" },
        `${f.name} is ${plural(Math.round(f.size / 1048576), "MiB")}; this page opens files up to 512 MiB. Use "ntatlas evtx" on the command line for larger logs.`));
      return;
    }
    say(`Reading ${f.name} from your disk…`);
    await load(await f.arrayBuffer(), f.name);
  }
  fileIn.addEventListener("change", () => openFile(fileIn.files[0]));
  drop.addEventListener("dragover", (ev) => { ev.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (ev) => {
    ev.preventDefault();
    drop.classList.remove("over");
    openFile(ev.dataTransfer.files[0]);
  });

  // --- rendering ---

  const parts = {};
  function renderAll() {
    parts.summary = renderSummary();
    parts.errors = renderErrors();
    parts.chunkTable = renderChunkTable();
    parts.explore = h("div", { class: "evtx-explore" });
    parts.detail = h("div", { class: "evtx-detail", "data-evtx": "detail" });
    out.replaceChildren(parts.summary, parts.errors, parts.chunkTable, parts.explore, parts.detail);
    if (st.loaded > 0) renderExplore();
  }

  function fileError(e, name) {
    const where = [e.field && `field ${e.field}`, e.offset >= 0 && `byte offset ${e.offset} (${hex(e.offset)})`].filter(Boolean).join(", ");
    return h("div", { class: "lab-error", role: "alert", "data-evtx": "file-error" },
      h("p", {}, `${name}: ${e.message}`), where ? h("p", {}, `Where: ${where}.`) : null);
  }

  function renderSummary() {
    const i = st.info, hd = i.header;
    const flags = [];
    if (hd.flags & 1) flags.push("0x1 dirty");
    if (hd.flags & 2) flags.push("0x2 full");
    if (hd.flags & 4) flags.push("0x4 no CRC32");
    const csum = !i.headerOk ? "header damaged" : (hd.flags & 4) ? "not stored (flag 0x4)" : hd.checksumOk ? "OK" : "MISMATCH";
    const row = (k, v, key) => h("tr", {}, h("th", { scope: "row" }, k), h("td", { "data-evtx": key }, v));
    const loadedNote = st.loaded < i.chunkTable.length
      ? h("p", { class: "evtx-note" }, `Loaded ${st.loaded} of ${i.chunkTable.length} chunks.`,
        !st.busy ? h("button", { type: "button", class: "secondary", "data-action": "load-more", onclick: () => loadMore(st.gen) },
          `Load the next ${Math.min(BATCH, i.chunkTable.length - st.loaded)} chunks`) : null)
      : null;
    return h("section", { class: "evtx-summary", "aria-label": "File summary" },
      h("h3", {}, `Your file: ${st.name}`, " ",
        claim("observed", "The file and chunk layout is not published by Microsoft: it follows libyal's EVTX format description, checked against real files")),
      h("div", { class: "evtx-cards" },
        h("div", { class: "lab-scroll" }, h("table", { class: "lab-table evtx-kv" },
          h("caption", {}, "File header"),
          h("tbody", {},
            row("Version", `${hd.majorVersion}.${hd.minorVersion}`, "version"),
            row("Chunks (header count)", String(hd.chunkCount), "header-chunks"),
            row("Next record id", String(hd.nextRecordId), "next-record"),
            row("Flags", `${hex(hd.flags)}${flags.length ? " — " + flags.join(", ") : ""}`, "flags"),
            row("Dirty / full", `${i.dirty ? "dirty" : "clean"} / ${i.full ? "full" : "not full"}`, "dirty-full"),
            row("Header checksum", csum, "header-checksum")))),
        h("div", { class: "lab-scroll" }, h("table", { class: "lab-table evtx-kv" },
          h("caption", {}, "Records"),
          h("tbody", {},
            row("Records", String(i.records), "records"),
            row("Recovered", String(i.recovered), "recovered"),
            row("Chunks found", String(i.chunks), "chunks"),
            row("Record ids", i.records ? `${i.firstRecordId} – ${i.lastRecordId}` : "—", "ids"),
            row("Written (UTC)", i.records ? `${timeText(i.firstTime)} – ${timeText(i.lastTime)}` : "—", "times"),
            row("Checksum errors", String(i.checksumErrors), "checksum-errors"),
            row("Size", plural(st.size, "byte"), "size"))))),
      h("p", { class: "evtx-note" }, "“Recovered” records were found by scanning after damage or in a chunk's unused space; they are listed but not counted as records, as mature parsers count. ",
        claim("model", "Our choice: recovered records are reported separately")),
      loadedNote);
  }

  function errorText(e) {
    const parts = [e.chunk >= 0 ? `chunk ${e.chunk}` : "file header"];
    if (e.recordId) parts.push(`record ${e.recordId}`);
    parts.push(`offset ${e.offset} (${hex(e.offset)})`);
    return [parts.join(", "), e.message];
  }

  function renderErrors() {
    const errs = st.info.errors || [];
    const box = h("section", { class: "evtx-errors", "aria-label": "Damage found", "data-evtx": "errors" });
    if (!errs.length) {
      box.append(h("p", { class: "lab-verdict ok", "data-evtx": "clean" }, "No damage found: every chunk and record decoded."));
      return box;
    }
    box.append(h("p", { class: "lab-verdict bad" },
      `${plural(errs.length + (st.info.errorsTruncated || 0), "problem")} found; everything recoverable is still shown.`),
    h("details", { open: errs.length <= 20 },
      h("summary", {}, "Where (chunk, record id, byte offset in the file)"),
      h("ul", { class: "evtx-errlist", tabindex: "0", "aria-label": "Problems found" }, errs.map((e) => {
        const [where, msg] = errorText(e);
        return h("li", { "data-evtx": "error", "data-chunk": e.chunk, "data-offset": e.offset },
          h("strong", {}, where), ": ", h("span", { class: "lab-mono" }, msg));
      })),
      st.info.errorsTruncated ? h("p", {}, `…and ${st.info.errorsTruncated} more.`) : null));
    return box;
  }

  function checks(r) {
    if (!r.checksumsChecked) return "not stored";
    return `header ${r.headerChecksumOk ? "ok" : "BAD"}, data ${r.dataChecksumOk ? "ok" : "BAD"}`;
  }

  function renderChunkTable() {
    const rows = st.info.chunkTable.map((r, i) => {
      const loaded = i < st.loaded;
      const btn = loaded
        ? h("button", { type: "button", class: "secondary evtx-link", "data-action": "show-chunk", "data-chunk": r.index,
          onclick: () => showChunk(String(r.index)) }, `Chunk ${r.index}`)
        : `Chunk ${r.index}`;
      const bad = r.checksumsChecked && !(r.headerChecksumOk && r.dataChecksumOk);
      return h("tr", { class: bad || r.errors ? "evtx-bad" : "" },
        h("td", {}, btn), h("td", {}, `${r.offset} (${hex(r.offset)})`),
        h("td", {}, String(r.firstRecordId)), h("td", {}, String(r.lastRecordId)),
        h("td", {}, String(r.records)), h("td", {}, String(r.recovered)),
        h("td", {}, checks(r)), h("td", {}, String(r.errors)),
        h("td", {}, r.beyondHeaderCount ? "beyond the header's count" : ""));
    });
    return h("section", { class: "evtx-chunks", "aria-label": "Chunk table" },
      h("h3", {}, "Chunk table ", claim("observed", "64 KiB chunks with their own header, string and template caches; layout from libyal's format description")),
      table(null, ["Index", "Offset", "First id", "Last id", "Records", "Recovered", "Checksums", "Errors", "Note"], rows, "evtx-chunktable"));
  }

  // --- explore: filter, facets, search, record table ---

  const filterIn = h("input", { type: "text", id: nextId("filter"), spellcheck: "false", autocomplete: "off", "data-evtx": "filter",
    placeholder: "EventID=4624|4625,Provider=Microsoft-Windows-Security-Auditing" });
  const searchIn = h("input", { type: "text", id: nextId("search"), spellcheck: "false", autocomplete: "off", "data-evtx": "search",
    placeholder: "text in the record XML, e.g. S-1-5-18" });

  function renderExplore() {
    const chunkSel = h("select", { id: nextId("chunk"), "data-evtx": "chunk-select", onchange: () => showChunk(chunkSel.value) },
      h("option", { value: "all" }, `All loaded chunks (${st.loaded})`),
      st.info.chunkTable.slice(0, st.loaded).map((r) =>
        h("option", { value: String(r.index) }, `Chunk ${r.index} — ids ${r.firstRecordId}–${r.lastRecordId}, ${plural(r.records, "record")}`)));
    chunkSel.value = st.view;
    filterIn.value = st.filter;
    searchIn.value = st.search;
    const filterForm = h("form", { class: "evtx-form", "data-evtx": "filter-form", onsubmit: (ev) => { ev.preventDefault(); applyFilter(filterIn.value); } },
      h("label", { for: filterIn.id }, "Filter (the engine's syntax: Field=Value, | for alternatives, commas for AND)"),
      h("div", { class: "evtx-inline" }, filterIn,
        h("button", { type: "submit", "data-action": "apply-filter" }, "Apply"),
        h("button", { type: "button", class: "secondary", "data-action": "clear-filter", onclick: () => applyFilter("") }, "Clear")),
      h("div", { "data-evtx": "filter-error" }));
    const searchForm = h("form", { class: "evtx-form", onsubmit: (ev) => { ev.preventDefault(); applySearch(searchIn.value); } },
      h("label", { for: searchIn.id }, "Search the XML of the loaded records (ignores case)"),
      h("div", { class: "evtx-inline" }, searchIn,
        h("button", { type: "submit", "data-action": "search" }, "Search"),
        h("button", { type: "button", class: "secondary", "data-action": "clear-search", onclick: () => applySearch("") }, "Clear")));
    parts.facets = h("div", { class: "evtx-facets", "data-evtx": "facets" });
    parts.records = h("div", { class: "evtx-records" });
    parts.explore.replaceChildren(
      h("h3", {}, "Records"),
      h("div", { class: "lab-row" }, filterForm, searchForm),
      parts.facets,
      h("div", { class: "evtx-inline evtx-chunknav" },
        h("label", { for: chunkSel.id }, "Show"), chunkSel,
        h("button", { type: "button", class: "secondary", "data-action": "prev-chunk", onclick: () => stepChunk(-1) }, "‹ Previous chunk"),
        h("button", { type: "button", class: "secondary", "data-action": "next-chunk", onclick: () => stepChunk(1) }, "Next chunk ›")),
      parts.records);
    renderFacets();
    renderRecords();
  }

  function loadedRange() {
    const rows = st.info.chunkTable.slice(0, st.loaded);
    return rows.length ? [rows[0].index, rows[rows.length - 1].index] : null;
  }

  async function refreshFacets(gen) {
    const range = loadedRange();
    if (!range) { st.facets = null; return; }
    try {
      st.facets = await engine.call("facets", { from: range[0], to: range[1], filter: st.filter });
    } catch (e) {
      if (gen === st.gen) st.facets = { error: e };
    }
  }

  /** The filter with field's condition set to value, or removed when it already says exactly that. */
  function toggleCondition(field, value) {
    const conds = st.filter.split(",").map((s) => s.trim()).filter(Boolean);
    const i = conds.findIndex((c) => c.split("=")[0].trim().toLowerCase() === field.toLowerCase());
    const want = `${field}=${value}`;
    if (i >= 0 && conds[i].toLowerCase() === want.toLowerCase()) conds.splice(i, 1);
    else if (i >= 0) conds[i] = want;
    else conds.push(want);
    return conds.join(",");
  }

  function activeValue(field) {
    for (const c of st.filter.split(",")) {
      const [k, v] = c.split("=");
      if (v !== undefined && k.trim().toLowerCase() === field.toLowerCase()) return v.trim().toLowerCase();
    }
    return null;
  }

  function renderFacets() {
    const f = st.facets;
    if (!f) { parts.facets.replaceChildren(); return; }
    if (f.error) { parts.facets.replaceChildren(h("p", { class: "lab-error" }, `Facets: ${f.error.message}`)); return; }
    const range = loadedRange();
    const group = (title, field, items, label) => {
      const active = activeValue(field);
      const btn = (it) => {
        const expressible = !/[,|=]/.test(it.value) && it.value.trim() === it.value && it.value !== "";
        return h("li", {}, h("button", {
          type: "button", class: "evtx-facet", "data-facet": field, "data-value": it.value,
          "aria-pressed": active !== null && active === it.value.toLowerCase() ? "true" : "false",
          disabled: !expressible || st.busy,
          title: expressible ? `Filter ${field}=${it.value}` : "This value cannot be written in the filter syntax",
          onclick: () => applyFilter(toggleCondition(field, it.value), `[data-facet="${field}"][data-value="${CSS.escape(it.value)}"]`),
        }, label(it.value), " ", h("span", { class: "evtx-count" }, String(it.count))));
      };
      const head = items.slice(0, 12), rest = items.slice(12);
      return h("div", { class: "evtx-facet-group" }, h("h4", {}, title),
        h("ul", {}, head.map(btn)),
        rest.length ? h("details", {}, h("summary", {}, `${rest.length} more`), h("ul", {}, rest.map(btn))) : null);
    };
    parts.facets.replaceChildren(
      h("p", { class: "evtx-note" },
        `Facets over chunks ${range[0]}–${range[1]} (the loaded range)${st.filter ? ", with the filter" : ""}: ${plural(f.records, "record")}, recovered records left out. Click a value to filter by it, again to drop it. `,
        claim("documented", "Level numbers: StandardEventLevel / winmeta.xml")),
      h("div", { class: "evtx-facet-groups" },
        group("Provider", "Provider", f.provider, (v) => v || "(none)"),
        group("Level", "Level", f.level, (v) => levelText(Number(v))),
        group("Event ID", "EventID", f.eventId, (v) => v)));
  }

  /** Applies a filter through the engine; focusSel names what gets the focus back afterwards. */
  async function applyFilter(text, focusSel) {
    if (st.busy) { say("Wait for the current parse to finish (or stop it) before filtering."); return; }
    const gen = st.gen;
    const errBox = parts.explore.querySelector("[data-evtx=filter-error]");
    text = text.trim();
    if (!text) {
      st.filter = ""; st.keys = null; st.page = 0;
      await refreshFacets(gen);
      if (gen !== st.gen) return;
      renderExplore();
      refocus(focusSel);
      say(`Filter cleared: ${countText()}.`);
      return;
    }
    setBusy(true);
    say(`Filtering with ${text}…`);
    const keys = new Set();
    try {
      const range = loadedRange();
      // The facets call checks the filter's syntax once, before any chunk is read again.
      const facets = await engine.call("facets", { from: range[0], to: range[1], filter: text });
      for (const row of st.info.chunkTable.slice(0, st.loaded)) {
        const c = await engine.call("chunk", { index: row.index, format: "xml", filter: text });
        if (gen !== st.gen) return;
        for (const r of c.records) keys.add(`${r.chunk}:${r.offset}`);
      }
      st.facets = facets;
    } catch (e) {
      setBusy(false);
      if (gen !== st.gen) return;
      errBox.replaceChildren(filterError(e, text));
      filterIn.setAttribute("aria-invalid", "true");
      say(`The filter was not applied: ${e.message}`);
      return;
    }
    setBusy(false);
    if (gen !== st.gen) return;
    st.filter = text; st.keys = keys; st.page = 0;
    renderExplore();
    refocus(focusSel);
    say(`Filter ${text}: ${countText()}.`);
  }

  // Re-rendering replaces the control that had the focus; keyboard users keep their place.
  function refocus(sel) {
    const e = (sel && parts.explore.querySelector(sel)) || filterIn;
    e.focus();
  }

  function filterError(e, text) {
    const box = h("div", { class: "lab-error", role: "alert", "data-evtx": "filter-error-msg" },
      h("p", {}, e.offset >= 0 ? `${e.field || "filter"}, offset ${e.offset}: ${e.message}` : e.message));
    if (e.offset >= 0 && e.offset <= text.length) {
      box.append(h("pre", { class: "lab-mono evtx-caret", "aria-label": `the problem starts at offset ${e.offset}` },
        `${text}\n${" ".repeat(e.offset)}^`));
    }
    return box;
  }

  function applySearch(text) {
    st.search = text.trim();
    st.page = 0;
    renderRecords();
    say(st.search ? `Search “${st.search}”: ${countText()}.` : `Search cleared: ${countText()}.`);
  }

  function showChunk(v) {
    st.view = v;
    st.page = 0;
    renderExplore();
    const sel = parts.explore.querySelector("[data-evtx=chunk-select]");
    if (sel) sel.focus();
  }

  function stepChunk(d) {
    const idx = st.info.chunkTable.slice(0, st.loaded).map((r) => String(r.index));
    let i = st.view === "all" ? (d > 0 ? -1 : idx.length) : idx.indexOf(st.view);
    i = Math.max(0, Math.min(idx.length - 1, i + d));
    st.view = idx[i];
    st.page = 0;
    renderExplore();
    parts.explore.querySelector(`[data-action=${d > 0 ? "next-chunk" : "prev-chunk"}]`).focus();
  }

  function visible() {
    const needle = st.search.toLowerCase();
    return st.all.filter((r) =>
      (st.view === "all" || String(r.chunk) === st.view) &&
      (!st.keys || st.keys.has(`${r.chunk}:${r.offset}`)) &&
      (!needle || (r.xml || "").toLowerCase().includes(needle)));
  }

  function countText() {
    const n = visible().length;
    const shown = st.view === "all" ? st.all : st.all.filter((r) => String(r.chunk) === st.view);
    const rec = shown.filter((r) => r.recovered).length;
    return `${n.toLocaleString("en")} of ${plural(shown.length, "record")} match${rec ? ` (${rec} of them recovered)` : ""}`;
  }

  function renderRecords() {
    const list = visible();
    const pages = Math.max(1, Math.ceil(list.length / PAGE));
    st.page = Math.min(st.page, pages - 1);
    const from = st.page * PAGE;
    const rows = list.slice(from, from + PAGE).map((r) => h("tr", { "data-record": r.recordId, class: r.error ? "evtx-bad" : "" },
      h("td", {}, h("button", { type: "button", class: "secondary evtx-link", "data-action": "open-record",
        "aria-label": `Open record ${r.recordId} (chunk ${r.chunk}, offset ${r.offset})`, onclick: () => openRecord(r) }, String(r.recordId))),
      h("td", {}, timeText(r.timeCreated || r.written)), h("td", {}, r.provider || "—"), h("td", {}, String(r.eventId)),
      h("td", {}, levelText(r.level)), h("td", {}, r.computer || "—"),
      h("td", {}, [r.recovered ? "recovered" : "", r.error ? `error: ${r.error}` : ""].filter(Boolean).join("; "))));
    const pager = h("div", { class: "evtx-inline evtx-pager" },
      h("button", { type: "button", class: "secondary", "data-action": "prev-page", disabled: st.page === 0,
        onclick: () => { st.page--; renderRecords(); focusPager("prev-page"); } }, "‹ Previous page"),
      h("span", {}, list.length ? `Records ${from + 1}–${Math.min(from + PAGE, list.length)} of ${list.length}` : "No records"),
      h("button", { type: "button", class: "secondary", "data-action": "next-page", disabled: st.page >= pages - 1,
        onclick: () => { st.page++; renderRecords(); focusPager("next-page"); } }, "Next page ›"));
    parts.records.replaceChildren(
      h("p", { class: "evtx-count-line", "aria-live": "polite", "data-evtx": "match-count" }, countText()),
      rows.length
        ? table(null, ["Record id", "Time created (UTC)", "Provider", "Event ID", "Level", "Computer", "Note"], rows, "evtx-rectable")
        : h("p", { class: "lab-verdict neutral" }, "No record matches."),
      pager);
  }

  function focusPager(action) {
    const b = parts.records.querySelector(`[data-action=${action}]`);
    if (b && !b.disabled) b.focus();
    else parts.records.querySelector(`[data-action=${action === "next-page" ? "prev-page" : "next-page"}]`).focus();
  }

  // --- one record: XML and JSON side by side ---

  async function openRecord(r) {
    const gen = st.gen;
    const title = h("h3", { tabindex: "-1" }, `Record ${r.recordId}`);
    const meta = h("p", { class: "evtx-note" },
      `Chunk ${r.chunk}, byte offset ${r.offset} (${hex(r.offset)}), written ${timeText(r.written)} UTC${r.recovered ? ", recovered" : ""}.`);
    const jsonPre = h("pre", { class: "lab-mono evtx-code", "data-evtx": "json", tabindex: "0", "aria-label": `Record ${r.recordId} as JSON` }, "Rendering…");
    parts.detail.replaceChildren(...[title, meta,
      r.error ? h("p", { class: "lab-error", "data-evtx": "record-error" }, `Chunk ${r.chunk}, record ${r.recordId}, offset ${r.offset}: ${r.error}`) : null,
      h("div", { class: "evtx-side" },
        h("div", {}, h("h4", {}, "XML ", claim("documented", "The Event document rendered from Binary XML as in [MS-EVEN6]")),
          h("pre", { class: "lab-mono evtx-code", "data-evtx": "xml", tabindex: "0", "aria-label": `Record ${r.recordId} as XML` }, r.xml || "(no XML)")),
        h("div", {}, h("h4", {}, "JSON ", claim("model", "Our JSON mapping of the same tree: attributes under #attributes, Data by Name")), jsonPre))].filter(Boolean));
    title.focus();
    try {
      const c = await engine.call("chunk", { index: r.chunk, format: "json", filter: `RecordID=${r.recordId}` });
      if (gen !== st.gen) return;
      const same = c.records.find((x) => x.offset === r.offset);
      jsonPre.textContent = same && same.json !== undefined ? JSON.stringify(same.json, null, 2) : "(no JSON for this record)";
    } catch (e) {
      jsonPre.textContent = `The JSON could not be rendered: ${e.message}`;
    }
  }

  // The engine starts in the background; the page is usable at once.
  engine.ready.then(() => {
    section.dataset.evtxEngine = engine.mode;
  });
}
