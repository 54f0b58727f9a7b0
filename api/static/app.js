// policykg web page: SPARQL editor, sortable results, workload chart.
// Data is only ever written with textContent / setAttribute, never innerHTML.
"use strict";

(function () {
  const SVG = "http://www.w3.org/2000/svg";

  function readJson(id) {
    const node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  const examples = readJson("examples-data") || [];
  const pageData = readJson("page-data") || {};
  const docBase = pageData.doc_base || "";

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  // ------------------------------------------------------------ results table

  function cellValue(term) {
    if (!term) return "";
    return term.value;
  }

  function compareValues(a, b) {
    const x = Number(a), y = Number(b);
    if (a !== "" && b !== "" && !Number.isNaN(x) && !Number.isNaN(y)) return x - y;
    if (a === "" && b !== "") return 1;
    if (b === "" && a !== "") return -1;
    return a.localeCompare(b, "zh-Hans-CN");
  }

  function renderCell(td, term) {
    if (!term) return;
    if (term.type === "uri" && docBase && term.value.startsWith(docBase)) {
      const a = el("a", term.value.slice(docBase.length));
      a.href = "/documents/" + term.value.slice(docBase.length).split("/").map(encodeURIComponent).join("/");
      a.title = term.value;
      td.appendChild(a);
      return;
    }
    td.textContent = term.value;
    if (term.type === "literal" && term.datatype && /#(integer|decimal|double|float|int|long)$/.test(term.datatype)) {
      td.className = "num";
    }
    if (term.type === "uri") td.className = "iri";
  }

  function renderTable(container, vars, bindings) {
    const table = el("table", null, "data sortable");
    table.id = "result-table";
    const thead = table.createTHead();
    const head = thead.insertRow();
    const tbody = table.createTBody();
    const rows = bindings.map((b) => ({ b, keys: vars.map((v) => cellValue(b[v])) }));
    let sortCol = -1, ascending = true;

    function fill() {
      tbody.replaceChildren();
      for (const row of rows) {
        const tr = tbody.insertRow();
        vars.forEach((v) => renderCell(tr.insertCell(), row.b[v]));
      }
    }

    vars.forEach((v, i) => {
      const th = el("th");
      const button = el("button", v, "sort");
      button.type = "button";
      button.addEventListener("click", () => {
        ascending = sortCol === i ? !ascending : true;
        sortCol = i;
        rows.sort((r, s) => (ascending ? 1 : -1) * compareValues(r.keys[i], s.keys[i]));
        head.querySelectorAll("th").forEach((h) => h.removeAttribute("aria-sort"));
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        fill();
      });
      th.appendChild(button);
      head.appendChild(th);
    });
    fill();
    container.replaceChildren(table);
  }

  // ------------------------------------------------------------ query form

  const form = document.getElementById("query-form");
  if (form) {
    const textarea = document.getElementById("sparql");
    const select = document.getElementById("example");
    const status = document.getElementById("status");
    const results = document.getElementById("results");
    const csv = document.getElementById("csv");

    function loadExample() {
      const ex = examples.find((e) => e.name === select.value);
      if (ex) textarea.value = ex.query;
    }
    select.addEventListener("change", loadExample);
    textarea.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    document.getElementById("load-example").addEventListener("click", loadExample);

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const query = textarea.value;
      status.textContent = "Running… 查询中";
      status.className = "";
      csv.hidden = true;
      const started = performance.now();
      let response;
      try {
        response = await fetch("/sparql", {
          method: "POST",
          headers: {
            "Content-Type": "application/x-www-form-urlencoded",
            Accept: "application/sparql-results+json, text/turtle;q=0.5",
          },
          body: new URLSearchParams({ query }),
        });
      } catch (err) {
        status.textContent = "Network error: " + err;
        status.className = "error";
        return;
      }
      const type = response.headers.get("content-type") || "";
      const ms = Math.round(performance.now() - started);
      if (!response.ok) {
        status.textContent = "Error " + response.status + ": " + (await response.text());
        status.className = "error";
        results.replaceChildren();
        return;
      }
      if (type.startsWith("application/sparql-results+json")) {
        const data = await response.json();
        if ("boolean" in data) {
          results.replaceChildren(el("p", "ASK → " + data.boolean, "answer"));
          status.textContent = ms + " ms";
          return;
        }
        const bindings = data.results.bindings;
        renderTable(results, data.head.vars, bindings);
        let note = bindings.length + " rows · 行, " + ms + " ms";
        if (data.warning) note += " — " + data.warning;
        status.textContent = note;
        csv.href = "/sparql?" + new URLSearchParams({ query, format: "csv" }).toString();
        csv.hidden = false;
      } else {
        results.replaceChildren(el("pre", await response.text(), "graph"));
        status.textContent = ms + " ms";
      }
    });
  }

  // ------------------------------------------------------------ workload chart

  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  async function drawWorkload(container) {
    let items;
    try {
      const response = await fetch("/api/analytics/workload?limit=20", {
        headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error("HTTP " + response.status);
      items = (await response.json()).items;
    } catch (err) {
      container.replaceChildren(el("p", "Workload unavailable: " + err, "error"));
      return;
    }
    if (!items.length) {
      container.replaceChildren(el("p", "No responsibilities in this graph · 无数据", "muted"));
      return;
    }
    const labelWidth = 230, barArea = 520, rowHeight = 24, top = 30;
    const width = labelWidth + barArea + 120;
    const height = top + items.length * rowHeight + 10;
    const max = Math.max(...items.map((d) => d.tasks), 1);
    const scale = barArea / max;
    const chart = svg("svg", {
      viewBox: `0 0 ${width} ${height}`, width, height, role: "img", id: "workload-svg",
    });
    chart.appendChild(svg("title", {}, "Department workload: tasks led, support, other"));
    const parts = [
      ["tasks_led", "lead", "牵头 lead"],
      ["tasks_support", "support", "配合 support"],
      ["other", "other", "负责 responsible"],
    ];
    parts.forEach(([, cls, label], i) => {
      chart.appendChild(svg("rect", { x: labelWidth + i * 150, y: 6, width: 12, height: 12, class: cls }));
      chart.appendChild(svg("text", { x: labelWidth + i * 150 + 16, y: 16, class: "legend" }, label));
    });
    items.forEach((d, row) => {
      const y = top + row * rowHeight;
      const values = {
        tasks_led: d.tasks_led,
        tasks_support: d.tasks_support,
        other: Math.max(d.tasks - d.tasks_led - d.tasks_support, 0),
      };
      // long names are cut to fit the label column; the full name is the tooltip
      const name = String(d.department);
      const short = name.length > 16 ? name.slice(0, 15) + "…" : name;
      const label = svg("text", { x: labelWidth - 6, y: y + 15, "text-anchor": "end", class: "label" }, short);
      label.appendChild(svg("title", {}, name));
      chart.appendChild(label);
      let x = labelWidth;
      for (const [key, cls] of parts) {
        const w = values[key] * scale;
        if (w > 0) {
          const rect = svg("rect", { x, y: y + 3, width: w, height: rowHeight - 6, class: cls });
          rect.appendChild(svg("title", {}, `${d.department}: ${values[key]} ${cls}`));
          chart.appendChild(rect);
          x += w;
        }
      }
      chart.appendChild(svg("text", { x: x + 4, y: y + 15, class: "value" },
        `${d.tasks} (load ${Number(d.load).toFixed(1)})`));
    });
    container.replaceChildren(chart);
  }

  const chartBox = document.getElementById("workload-chart");
  if (chartBox) drawWorkload(chartBox);
})();
