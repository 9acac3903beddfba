// Shared DOM helpers for the lab widgets (<engine>.js import them as "./dom.js"). Everything is
// built from nodes and filled with textContent: no markup strings, no inline styles, so the
// pages keep their strict CSP. The server serves this file under its plain name (no-cache).

/**
 * h builds an element: h("td", {class: "x", text: "…", onclick: fn}, "text", child, [more], …).
 * Attributes: null, undefined and false are left out; true sets an empty attribute (hidden,
 * disabled, checked…); "class" sets className; "text" sets textContent; on<event> with a function
 * adds an event listener; anything else (for, aria-*, data-*, numbers) goes through setAttribute
 * as a string. Children: arrays are flattened at any depth; null, undefined and false are skipped;
 * nodes are appended as they are, anything else becomes a text node.
 */
export function h(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on") && typeof v === "function") e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const k of kids.flat(Infinity)) {
    if (k === undefined || k === null || k === false) continue;
    e.append(k instanceof Node ? k : document.createTextNode(String(k)));
  }
  return e;
}

/**
 * idGen returns a generator of element ids unique within the page: idGen("dns")("f") gives
 * "dns-f-1", then "dns-f-2"…; idGen()("f") gives "f-1". Each widget keeps its own counter.
 */
export function idGen(prefix = "") {
  let n = 0;
  return (p) => (prefix ? `${prefix}-${p}-${++n}` : `${p}-${++n}`);
}

/** The evidence labels the site uses for claims: documented, observed, model. */
export const CLAIM_TEXT = Object.freeze({ documented: "Documented", observed: "Observed", model: "Model" });

/** isClaim tells whether kind is one of the three evidence labels. */
export const isClaim = (kind) => Object.hasOwn(CLAIM_TEXT, kind);

/** claimOr maps anything that is not an evidence label to fallback (a claim we cannot back is a model). */
export const claimOr = (kind, fallback = "model") => (isClaim(kind) ? kind : fallback);

/** badge is the site's evidence badge: <span class="claim claim-documented" title=…>Documented</span>. */
export function badge(kind, title) {
  return h("span", { class: `claim claim-${kind}`, title }, CLAIM_TEXT[kind]);
}

/** evidenceBadge labels an engine's evidence field; anything unknown is shown as a model. */
export function evidenceBadge(ev) {
  const k = claimOr(ev);
  return badge(k, `Evidence: ${k}`);
}

/** code wraps a value in <code> as text. */
export function code(text) {
  return h("code", { text: String(text) });
}

/**
 * factsList builds <dl class=cls> from [term, value] rows, leaving out rows whose value is empty
 * (undefined, null or ""). ddClass(row), when given, names each dd's class.
 */
export function factsList(rows, cls, ddClass) {
  const d = h("dl", { class: cls });
  for (const row of rows) {
    const [k, v] = row;
    if (v === undefined || v === null || v === "") continue;
    d.append(h("dt", { text: k }), h("dd", ddClass ? { class: ddClass(row) } : {}, v));
  }
  return d;
}

/** sourceRef links an http(s) source as "source", or names any other source as text. */
export function sourceRef(src, cls) {
  if (!src) return null;
  if (/^https?:\/\//.test(src)) return h("a", { href: src, rel: "noopener noreferrer", class: cls }, "source");
  return h("span", { class: cls }, src);
}

/**
 * labelledField wraps a control with its <label> and an optional hint (wired up with
 * aria-describedby) in <div class="<prefix>-field">; the hint is a <p class="<prefix>-hint">.
 * nextId gives the ids the control and hint lack.
 */
export function labelledField(labelText, control, hint, prefix, nextId) {
  control.id = control.id || nextId("f");
  const kids = [h("label", { for: control.id }, labelText), control];
  if (hint) {
    const hid = nextId("hint");
    control.setAttribute("aria-describedby", hid);
    kids.push(h("p", { class: `${prefix}-hint`, id: hid }, hint));
  }
  return h("div", { class: `${prefix}-field` }, kids);
}

// ---------- positions in the learner's text, and errors that point at them ----------

/** byteToIndex turns an engine's UTF-8 byte offset into an index into the JS string. */
export function byteToIndex(s, byteOff) {
  let bytes = 0;
  let i = 0;
  for (const ch of s) {
    if (bytes >= byteOff) return i;
    const cp = ch.codePointAt(0);
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    i += ch.length;
  }
  return s.length;
}

/** lineColOfByte turns a UTF-8 byte offset in text into [line, column], both 1-based. */
export function lineColOfByte(text, off) {
  const bytes = new TextEncoder().encode(text);
  const before = new TextDecoder().decode(bytes.slice(0, Math.max(0, Math.min(off, bytes.length))));
  const lines = before.split("\n");
  return [lines.length, lines[lines.length - 1].length + 1];
}

/**
 * caretWindow cuts the line of text that holds string index idx to at most radius characters
 * either side of it (so the caret stays on a phone screen). It returns the cut line, the "…"
 * marks for what was cut before and after, and pad: the caret's column in before + line.
 */
export function caretWindow(text, idx, radius = 40) {
  const lineStart = text.lastIndexOf("\n", idx - 1) + 1;
  let lineEnd = text.indexOf("\n", idx);
  if (lineEnd < 0) lineEnd = text.length;
  const from = idx - lineStart > radius ? idx - radius : lineStart;
  const to = lineEnd - idx > radius ? idx + radius : lineEnd;
  const before = from > lineStart ? "…" : "";
  return { before, line: text.slice(from, to), after: to < lineEnd ? "…" : "", pad: idx - from + before.length };
}

/** lineCaret quotes one line as "line N: text" with a caret under column col (1-based) below it. */
export function lineCaret(lineNo, lineText, col) {
  const head = `line ${lineNo}: `;
  return `${head}${lineText}\n${" ".repeat(head.length + Math.max(0, col - 1))}^`;
}

/**
 * byteErrorBox shows an engine error about a text: "The <what> is not valid<where>: message" and,
 * when the error has a byte offset into input, the text around it with "^ here" under the byte.
 * prefix names the widget's classes (<prefix>-error, -error-msg, -caret, -caret-mark); where(err,
 * offset) words the location, including its leading space.
 */
export function byteErrorBox(err, input, what, { prefix, where }) {
  const box = h("div", { class: `lab-error ${prefix}-error`, role: "alert" });
  const off = typeof err.offset === "number" ? err.offset : -1;
  box.append(h("p", { class: `${prefix}-error-msg` }, `The ${what} is not valid${where(err, off)}: ${err.message}`));
  if (off >= 0 && input) {
    const w = caretWindow(input, byteToIndex(input, off));
    const pre = h("pre", { class: `${prefix}-caret lab-mono`, "aria-label": `the input around byte offset ${off}` });
    pre.append(h("span", {}, w.before + w.line.replace(/\r$/, "") + w.after), "\n",
      h("span", { class: `${prefix}-caret-mark` }, " ".repeat(w.pad) + "^ here"));
    box.append(pre);
  }
  return box;
}
