// faqsearch's search page: results as you type. Without this script the form still works
// (it submits with GET and the server renders the results). Document text only ever goes
// into text nodes; highlights are parsed as HTML by DOMParser (which runs nothing) and
// rebuilt from their text and <mark> elements alone.
"use strict";

(() => {
  const input = document.getElementById("q");
  const results = document.getElementById("results");
  if (!input || !results) return;
  const DEBOUNCE_MS = 150;
  let timer = null;
  let controller = null;
  let latest = 0;

  const el = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  };

  const marked = (fragment) => {
    const out = el("p", "fragment");
    const parsed = new DOMParser().parseFromString(`<body>${fragment}</body>`, "text/html");
    for (const node of parsed.body.childNodes) {
      if (node.nodeName === "MARK") out.append(el("mark", "", node.textContent));
      else out.append(document.createTextNode(node.textContent));
    }
    return out;
  };

  // Where an answer comes from: its article's title (linked to its page when known).
  const where = (hit) => {
    const p = el("p", "source");
    const name = hit.title || hit.source;
    if (/^https?:\/\//.test(hit.url)) {
      const link = el("a", "", name);
      link.href = hit.url;
      link.rel = "noopener noreferrer";
      p.append(link);
    } else {
      p.append(document.createTextNode(name));
    }
    p.append(document.createTextNode(hit.section ? ` § ${hit.section}` : `, question ${hit.position}`));
    return p;
  };

  const render = (data) => {
    const shown = data.corrected_query || data.query;
    const parts = [];
    if (data.corrected_query) {
      const p = el("p", "corrected", "Showing results for ");
      p.append(el("b", "", data.corrected_query), document.createTextNode("; "));
      const instead = el("a", "", `search instead for ${data.query}`);
      instead.href = `/?${new URLSearchParams({ q: data.query, exact: "1" })}`;
      p.append(instead);
      parts.push(p);
    }
    parts.push(el("p", "count", countText(data, shown)));
    if (data.missing.length) parts.push(el("p", "missing", `No answer mentions: ${data.missing.join(", ")}`));
    if (data.weak_match) parts.push(el("p", "weak", "No answer fits this well; the closest ones follow."));
    if (data.hits.length) {
      const list = el("ol", "hits");
      for (const hit of data.hits) {
        const item = el("li", "hit");
        const heading = el("h2");
        const link = el("a", "", hit.question);
        link.href = `/doc/${encodeURIComponent(hit.id)}?${new URLSearchParams({ q: data.query })}`;
        heading.append(link);
        item.append(heading);
        for (const other of hit.alternates) item.append(el("p", "also", `also asked: ${other}`));
        for (const fragment of hit.highlights) item.append(marked(fragment));
        item.append(where(hit));
        list.append(item);
      }
      parts.push(list);
    }
    const folded = data.hits.reduce((sum, hit) => sum + hit.duplicates.length, 0);
    if (data.hits.length && data.hits.length < data.total - folded && data.hits.length < 50) {
      const more = el("a", "", "more answers");
      more.href = `/?${new URLSearchParams({ q: data.query, limit: String(Math.min(data.hits.length + 10, 50)) })}`;
      const p = el("p", "more");
      p.append(more);
      parts.push(p);
    }
    results.replaceChildren(...parts);
  };

  // Results.count_text() of search/searcher.py, for the API's JSON.
  const countText = (data, shown) => {
    const answers = (n) => (n === 1 ? "answer" : "answers");
    const about = data.total_exact ? "" : "about ";
    if (!data.fitting) return data.total ? `${about}${data.total} ${answers(data.total)} mention “${shown}”` : `no answers for “${shown}”`;
    if (data.fitting >= data.total) return `${about}${data.total} ${answers(data.total)} for “${shown}”`;
    const fit = data.fitting === 1 ? "fits" : "fit";
    return `${data.fitting} ${answers(data.fitting)} ${fit} “${shown}” well, of ${about}${data.total} that mention its words`;
  };

  const search = async () => {
    const query = input.value.trim();
    const url = new URL(window.location.href);
    if (query) url.searchParams.set("q", query);
    else url.searchParams.delete("q");
    url.searchParams.delete("exact"); // a new query is corrected again
    url.searchParams.delete("limit"); // and starts with the first ten
    history.replaceState(null, "", url);
    const name = document.querySelector(".collection")?.textContent || "faqsearch";
    document.title = query ? `${query} – ${name}` : name;
    if (controller) controller.abort(); // a newer query: the older answer is not wanted
    if (!query) {
      results.replaceChildren();
      return;
    }
    const mine = ++latest;
    controller = new AbortController();
    try {
      const response = await fetch(`/api/search?q=${encodeURIComponent(query)}&limit=10`, { signal: controller.signal });
      const data = await response.json();
      if (mine !== latest) return; // stale: a later query was sent meanwhile
      if (!response.ok) results.replaceChildren(el("p", "error", data.error || "the search failed"));
      else render(data);
    } catch (error) {
      if (error.name !== "AbortError" && mine === latest) results.replaceChildren(el("p", "error", "the server did not answer"));
    }
  };

  // Enter in the box opens the first answer shown (as DocSearch does); a focused answer's
  // link opens itself. With no answer shown yet, the form submits as without the script.
  if (input.form) {
    input.form.addEventListener("submit", (event) => {
      const first = results.querySelector(".hit h2 a");
      if (first && input.value.trim() && new URL(window.location.href).searchParams.get("q") === input.value.trim()) {
        event.preventDefault();
        window.location.assign(first.href);
      }
    });
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(search, DEBOUNCE_MS);
  });

  // Keyboard: ↓ from the box to the first answer, ↑/↓ between answers, Esc back to the box,
  // "/" anywhere to the box.
  const links = () => [...results.querySelectorAll(".hit h2 a")];
  document.addEventListener("keydown", (event) => {
    const all = links();
    const at = all.indexOf(document.activeElement);
    if (event.key === "/" && document.activeElement !== input) {
      event.preventDefault();
      input.focus();
    } else if (event.key === "ArrowDown" && (document.activeElement === input || at >= 0)) {
      if (all[at + 1]) {
        event.preventDefault();
        all[at + 1].focus();
      }
    } else if (event.key === "ArrowUp" && at >= 0) {
      event.preventDefault();
      (at === 0 ? input : all[at - 1]).focus();
    } else if (event.key === "Escape" && at >= 0) {
      input.focus();
    }
  });
})();
