// A notebook's page body, the same for the static export and the live pages: its cells in order
// (Markdown typeset, code coloured, the outputs through outputs.mts), a table of contents from the
// headings (with JupyterLab's anchors) before the first section it lists, code collapsed in
// JupyterLab (`jupyter.source_hidden`) behind "show code", an exercise's solution behind
// "Show the solution". The live page (`live: true`) is that page with, for each code cell, a place
// for its editor and an empty `.outputs` box its runs fill, instead of the stored outputs.
import { hasTag, SHOW_SOLUTION, solutionBody, text, type Cell, type Notebook } from "../nbformat.mjs";
import { escape, FormulaError, highlight, md, outputHtml, renderInline, renderMarkdown, type Heading, type PageEnv } from "./outputs.mjs";

export interface BodyOptions {
  live: boolean;
  where: string; // the notebook's name in messages (its path)
}

export interface RenderedNotebook {
  body: string;
  title: string; // HTML (formulas typeset)
  titleSource: string; // the title's Markdown
  summary: string; // HTML
  problems: string[]; // formulas KaTeX cannot typeset, each naming the cell; empty when none
}

// Under an exercise's answer cell in the export, where nothing can be run: where to answer.
export const ANSWER_ELSEWHERE = "To answer, open this notebook's <a href=\"LIVE\">live page</a> and type your " +
  "expression into the answer cell, or open the notebook in JupyterLab (<code>npm start</code>), run " +
  "<em>Run → Run All Cells</em>, then replace <code>undefined</code> in the answer cell with your expression and " +
  "run that cell: the checker says <strong>✓ Right</strong> or names the slip.";
// Under the answer cell of a live page.
export const ANSWER_HERE = "Replace <code>undefined</code> with your expression and press <kbd>Shift</kbd>+" +
  "<kbd>Enter</kbd> (or <em>Run</em>): the notebook runs from the top and the checker says " +
  "<strong>✓ Right</strong> or names the slip, under this cell.";

const jupyterMeta = (c: Cell): { source_hidden?: boolean; outputs_hidden?: boolean } =>
  (c.metadata.jupyter as { source_hidden?: boolean; outputs_hidden?: boolean } | undefined) ?? {};

const collapsed = (cls: string, summary: string, body: string): string =>
  `<details class="${cls}"><summary>${summary}</summary>${body}</details>`;

// The answer cell's leading comment lines say how to answer in JupyterLab; a live page shows the
// cell without them (and says how to answer there). Returns [those lines, the rest].
export function answerParts(source: string): [string, string] {
  const lines = source.split("\n");
  let n = 0;
  while (n < lines.length && /^\s*\/\//.test(lines[n])) n++;
  return [lines.slice(0, n).map((l) => `${l}\n`).join(""), lines.slice(n).join("\n")];
}

// One cell as HTML. `live` names the live page's link for the export's answer cell.
async function cell(c: Cell, i: number, env: PageEnv, o: BodyOptions & { livePage: string }): Promise<string> {
  const id = `cell-${i}`;
  const hidden = jupyterMeta(c).source_hidden === true;
  if (c.cell_type === "markdown") {
    if (hasTag(c, "solution")) {
      // the cell's own <details> block, or a solution in another form: closed behind the same summary
      const body = renderMarkdown(solutionBody(text(c.source)) ?? text(c.source), env);
      return `<section class="cell markdown solution" id="${id}">${collapsed("solution", SHOW_SOLUTION, body)}</section>`;
    }
    const body = renderMarkdown(text(c.source), env);
    return `<section class="cell markdown" id="${id}">${hidden ? collapsed("text", "show text", body) : body}</section>`;
  }
  if (c.cell_type !== "code") return "";
  const tags = (c.metadata.tags ?? []).filter((t) => /^[\w-]+$/.test(t)).map((t) => ` tag-${t}`).join("");
  if (o.live) {
    const box = `<div class="outputs" id="out-${i}"></div>`;
    // an exercise's checker runs, but its source could hint at the answer: only its box
    if (hasTag(c, "checker")) return `<section class="cell code${tags}" id="${id}" data-cell="${i}">${box}</section>`;
    if (hasTag(c, "parameters")) {
      return `<section class="cell code${tags}" id="${id}"><p class="how-to">On this page the parameters are the form ` +
        "in the bar at the top (<em>Parameters</em>).</p></section>";
    }
    const source = hasTag(c, "answer") ? answerParts(text(c.source))[1] : text(c.source);
    // the coloured code stays until the editor replaces it (and without a script)
    const code = `<div class="editor" data-cell="${i}"><pre class="source"><code class="language-ts">` +
      `${highlight(source)}</code></pre></div>`;
    const input = hidden ? collapsed("source", "show code", code) : code;
    const howTo = hasTag(c, "answer") ? `<p class="how-to">${ANSWER_HERE}</p>` : "";
    return `<section class="cell code${tags}" id="${id}" data-cell="${i}">${input}${howTo}${box}</section>`;
  }
  // an exercise's checker is machinery, and its source could hint at the answer: not shown
  if (hasTag(c, "checker")) return "";
  const source = text(c.source);
  const code = source.trim() ? `<pre class="source"><code class="language-ts">${highlight(source)}</code></pre>` : "";
  const input = !code ? "" : hidden ? collapsed("source", "show code", code) : code;
  let outputs = (await Promise.all((c.outputs ?? []).map(outputHtml))).join("\n");
  if (outputs && jupyterMeta(c).outputs_hidden === true) outputs = collapsed("outputs", "show output", outputs);
  const howTo = hasTag(c, "answer") ? `<p class="how-to">${ANSWER_ELSEWHERE.replace("LIVE", escape(o.livePage))}</p>` : "";
  return `<section class="cell code${tags}" id="${id}">${input}${outputs}${howTo}</section>`;
}

function tableOfContents(headings: Heading[]): string {
  const entries = headings.filter((h) => h.level === 2 || h.level === 3);
  if (entries.length < 2) return "";
  // level-3 headings nest under the level-2 one before them; no list numbers (headings often carry their own)
  const link = (h: Heading): string => `<a href="#${encodeURIComponent(h.id)}">${h.html}</a>`;
  let html = "";
  let open = false; // a nested list is open
  for (const [i, h] of entries.entries()) {
    if (h.level === 3 && !open) {
      html += i === 0 ? "<li><ul>" : "<ul>";
      open = true;
    } else if (h.level === 2) {
      if (open) html += "</ul>";
      if (i > 0) html += "</li>\n";
      open = false;
      html += `<li>${link(h)}`;
      continue;
    }
    html += `<li>${link(h)}</li>`;
  }
  html += open ? "</ul></li>" : "</li>";
  return `<nav class="toc" aria-label="Contents"><h2>On this page</h2><ul>\n${html}\n</ul></nav>`;
}

// The index's sentence: metadata.summary, else the first paragraph after the title.
function summaryOf(nb: Notebook, titleCell: Cell | undefined): string {
  const summary = nb.metadata.summary;
  if (typeof summary === "string" && summary.trim()) return summary.trim();
  const tokens = md.parse(text(titleCell?.source).replace(/^#\s+.*$/m, ""), {});
  const open = tokens.findIndex((t) => t.type === "paragraph_open");
  return open >= 0 ? tokens[open + 1].content : "";
}

// The page body of nb. A formula problem is recorded (notebook and cell named) and the rest is
// rendered, so one run reports every broken formula; other errors are thrown.
// livePage: the live page's address, for the export's answer cell.
export async function renderNotebook(nb: Notebook, o: BodyOptions & { livePage: string }): Promise<RenderedNotebook> {
  const problems: string[] = [];
  async function attempt<T>(label: string, fallback: T, fn: () => Promise<T> | T): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof FormulaError)) throw e;
      problems.push(`${label}: ${e.message}`);
      return fallback;
    }
  }
  const titleIndex = nb.cells.findIndex((c) => c.cell_type === "markdown");
  const titleCell = nb.cells[titleIndex];
  const titleSource = /^#\s+(.+)$/m.exec(text(titleCell?.source))?.[1] ?? o.where;
  const title = await attempt(`${o.where} cell ${titleIndex} (title)`, escape(titleSource), () => renderInline(titleSource));
  const summary = await attempt(`${o.where} metadata.summary`, "", () => renderInline(summaryOf(nb, titleCell)));
  const env: PageEnv = { headings: [], ids: new Set() };
  const sections: string[] = [];
  for (const [k, c] of nb.cells.entries()) {
    const kind = c.cell_type === "code" ? "code cell" : `${c.cell_type} cell`;
    env.cell = k;
    sections.push(await attempt(`${o.where} cell ${k} (${kind})`, "", () => cell(c, k, env, o)));
  }
  // the contents go before the cell of the first section they list (after the title cell at the earliest)
  const toc = tableOfContents(env.headings);
  const firstSection = env.headings.find((h) => h.level === 2 || h.level === 3)?.cell ?? -1;
  const at = Math.max(titleIndex + 1, firstSection, 0);
  const body = [...sections.slice(0, at), toc, ...sections.slice(at)].filter(Boolean).join("\n");
  return { body, title, titleSource, summary, problems };
}
