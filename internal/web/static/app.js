// Progressive enhancement: every page works without this file.

function setupTheme() {
  const btn = document.querySelector("[data-theme-toggle]");
  if (!btn) return;
  const root = document.documentElement;
  const current = () => root.dataset.theme || (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light");
  const label = () => {
    const next = current() === "dark" ? "light" : "dark";
    btn.setAttribute("aria-label", `Switch to ${next} theme`);
    btn.title = `Switch to ${next} theme`;
  };
  btn.hidden = false;
  label();
  btn.addEventListener("click", () => {
    const next = current() === "dark" ? "light" : "dark";
    root.dataset.theme = next;
    try { localStorage.setItem("ntatlas-theme", next); } catch (e) { /* not persisted */ }
    label();
  });
}

// A panel that explains the selected block or zone. Links keep working without JavaScript:
// they point at the topic or at the explanation further down.
function setupExplainer(container, itemSel, keyAttr, detailAttr, panel, detailsBox) {
  const items = [...container.querySelectorAll(itemSel)];
  if (!items.length || !panel) return;
  const show = (el) => {
    const key = el.getAttribute(keyAttr);
    const detail = document.querySelector(`[${detailAttr}="${CSS.escape(key)}"]`);
    if (!detail) return false;
    items.forEach((i) => i.setAttribute("aria-pressed", String(i === el)));
    panel.replaceChildren();
    const h = document.createElement("h3");
    h.textContent = detail.querySelector("dt").textContent;
    panel.append(h, ...[...detail.querySelector("dd").children].map((n) => n.cloneNode(true)));
    panel.hidden = false;
    const still = matchMedia("(prefers-reduced-motion: reduce)").matches;
    panel.scrollIntoView({ block: "nearest", behavior: still ? "auto" : "smooth" });
    return true;
  };
  items.forEach((el) => {
    el.setAttribute("role", "button");
    el.setAttribute("aria-pressed", "false");
    el.addEventListener("click", (ev) => {
      if (ev.metaKey || ev.ctrlKey || ev.shiftKey) return; // let "open in new tab" work
      if (show(el)) ev.preventDefault();
    });
    el.addEventListener("keydown", (ev) => {
      if (ev.key === " ") { ev.preventDefault(); if (show(el)) return; }
    });
  });
  if (detailsBox) detailsBox.classList.add("enhanced");
}

function setupMap() {
  const map = document.querySelector("[data-archmap]");
  if (!map) return;
  setupExplainer(document, ".mapblock", "data-block", "data-block-detail",
    document.getElementById("map-panel"), document.querySelector("[data-map-details]"));
}

function setupSchematics() {
  document.querySelectorAll("[data-schematic]").forEach((sec) => {
    const panel = sec.querySelector(".zone-panel");
    setupExplainer(sec, ".zone-button", "data-zone", "data-zone-detail", panel, sec.querySelector("[data-zone-details]"));
    sec.classList.add("enhanced");
  });
}

function setupInstantSearch() {
  document.querySelectorAll("[data-instant-search]").forEach((form) => {
    const input = form.querySelector("input[type=search]");
    const out = form.querySelector(".instant-results");
    if (!input || !out) return;
    let seq = 0, timer = 0;
    const render = (q, results) => {
      out.replaceChildren();
      if (!q) return;
      if (!results.length) {
        const p = document.createElement("p");
        p.className = "muted";
        p.textContent = `Nothing matches “${q}” yet.`;
        out.append(p);
        return;
      }
      const ol = document.createElement("ol");
      ol.className = "results";
      for (const r of results.slice(0, 8)) {
        const li = document.createElement("li");
        li.className = "result";
        const a = document.createElement("a");
        a.href = r.url;
        const kind = document.createElement("span");
        kind.className = "result-kind";
        kind.textContent = r.kind;
        const title = document.createElement("span");
        title.className = "result-title";
        title.textContent = r.title;
        a.append(kind, " ", title);
        const p = document.createElement("p");
        p.className = "result-snippet";
        for (const s of r.snippet || []) {
          if (s.match) { const m = document.createElement("mark"); m.textContent = s.text; p.append(m); }
          else p.append(s.text);
        }
        li.append(a, p);
        ol.append(li);
      }
      out.append(ol);
    };
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const q = input.value.trim();
        const my = ++seq;
        if (!q) { render("", []); return; }
        try {
          const res = await fetch(`/api/v1/search?q=${encodeURIComponent(q)}`, { headers: { Accept: "application/json" } });
          if (!res.ok) return;
          const data = await res.json();
          if (my === seq) render(q, data.results || []);
        } catch (e) { /* offline: the form still submits */ }
      }, 120);
    });
  });
}

setupTheme();
setupMap();
setupSchematics();
setupInstantSearch();
