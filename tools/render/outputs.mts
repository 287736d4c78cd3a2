// The one renderer of the series' pages, for the static export (tools/export.mts), the live pages
// in the browser (tools/live/page.mts) and the Node engine (tools/cells/node.mts): Markdown with
// formulas typeset by KaTeX, where a formula KaTeX cannot typeset, or TeX no formula picked up,
// is an error (FormulaError); code coloured by highlight.js; a cell's outputs (the MIME bundles
// a notebook stores) as HTML, Vega-Lite plots drawn as SVG; and what the cells' display functions
// post (tools/cells/display.mts) as those outputs. Nothing here needs Node.
import hljs from "highlight.js/lib/core";
import bash from "highlight.js/lib/languages/bash";
import python from "highlight.js/lib/languages/python";
import typescript from "highlight.js/lib/languages/typescript";
import katex from "katex";
import MarkdownIt, { type PluginWithOptions } from "markdown-it";
import markdownItKatex from "@vscode/markdown-it-katex";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { text, type Output } from "../nbformat.mjs";

hljs.registerLanguage("typescript", typescript);
hljs.registerLanguage("python", python);
hljs.registerLanguage("bash", bash);
hljs.registerAliases(["ts"], { languageName: "typescript" });
hljs.registerAliases(["sh"], { languageName: "bash" });

export const escape = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] ?? c);

// A formula KaTeX cannot typeset: the message names the formula; the caller adds notebook and cell.
export class FormulaError extends Error {}

function typeset(tex: string, displayMode: boolean): string {
  try {
    return katex.renderToString(tex, { displayMode, throwOnError: true, output: "htmlAndMathml" });
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new FormulaError(`KaTeX cannot typeset ${displayMode ? "$$" : "$"}${tex}${displayMode ? "$$" : "$"}: ${reason}`);
  }
}

// Code coloured at build time by highlight.js (TypeScript unless a fence names another language);
// the pages carry its stylesheet inline (highlightCss), so they still need no script.
export function highlight(code: string, language = "typescript"): string {
  if (!hljs.getLanguage(language)) return escape(code);
  return hljs.highlight(code, { language, ignoreIllegals: true }).value;
}
export const md = new MarkdownIt({
  html: true, linkify: true,
  highlight: (code, lang) => (lang && hljs.getLanguage(lang) ? highlight(code, lang) : ""),
});
// The plugin finds $…$ and $$…$$ (CommonJS, its function on `.default`; its typings name
// markdown-it's CommonJS types, which TypeScript keeps apart from the ESM ones). Its renderers
// turn a formula KaTeX refuses into a red mark and go on: ours throw instead.
md.use(markdownItKatex.default as unknown as PluginWithOptions<{ throwOnError: boolean }>, { throwOnError: true });
md.renderer.rules.math_inline = (tokens, i) => {
  const content = tokens[i].content;
  const tex = content.length > 2 && content.startsWith("`") && content.endsWith("`") ? content.slice(1, -1) : content;
  const html = typeset(tex, /\\begin\{(align|equation|gather|cd|alignat)\}/i.test(tex));
  const { before = "", after = "" } = (tokens[i].meta ?? {}) as { before?: string; after?: string };
  return before || after ? `<span class="nobr">${escape(before)}${html}${escape(after)}</span>` : html;
};

// A line may break on either side of a typeset formula (KaTeX draws it as inline blocks), so
// "($(K-1)/(K+1)$," could end a line with "(" or start one with ",". The bracket before a formula and
// the brackets and punctuation after it are moved into it, in a span that does not wrap.
function glueToFormulas(tokens: ReturnType<typeof md.parse>): void {
  for (const t of tokens) {
    if (t.children) glueToFormulas(t.children);
    if (t.type !== "math_inline") continue;
    const i = tokens.indexOf(t);
    const prev = tokens[i - 1];
    const next = tokens[i + 1];
    const meta: { before?: string; after?: string } = {};
    const open = prev?.type === "text" ? /[(\[{«“‘]+$/.exec(prev.content) : null;
    if (prev && open) {
      meta.before = open[0];
      prev.content = prev.content.slice(0, open.index);
    }
    const close = next?.type === "text" ? /^[)\]}»”’,.;:!?]+/.exec(next.content) : null;
    if (next && close) {
      meta.after = close[0];
      next.content = next.content.slice(close[0].length);
    }
    if (meta.before || meta.after) t.meta = { ...(t.meta as object | null), ...meta };
  }
}
const blockMath: NonNullable<typeof md.renderer.rules.math_block> = (tokens, i) =>
  `<div class="math">${typeset(tokens[i].content, true)}</div>\n`;
for (const rule of ["math_block", "math_inline_block", "math_inline_bare_block"]) md.renderer.rules[rule] = blockMath;

// Links between notebooks point at their exported pages.
const defaultLink = md.renderer.rules.link_open ?? ((t, i, o, _e, self) => self.renderToken(t, i, o));
md.renderer.rules.link_open = (tokens, i, options, env, self) => {
  const href = tokens[i].attrGet("href");
  if (href && /^[^:]+\.ipynb(#.*)?$/.test(href)) tokens[i].attrSet("href", href.replace(/\.ipynb/, ".html"));
  return defaultLink(tokens, i, options, env, self);
};

// Headings get the anchors JupyterLab gives them (the text, spaces as hyphens), so links written
// for JupyterLab (`other.ipynb#Some-heading`) land on the same heading here; they are collected
// for the page's table of contents.
export interface Heading { level: number; id: string; html: string; cell: number }
export interface PageEnv { headings: Heading[]; ids: Set<string>; cell?: number }
md.renderer.rules.heading_open = (tokens, i, options, env: PageEnv, self) => {
  const inline = tokens[i + 1];
  const plain = inline.children?.map((t) => (t.type === "math_inline" ? t.content : t.content)).join("") ?? inline.content;
  let id = plain.trim().replace(/\s+/g, "-");
  for (let n = 1; env.ids?.has(id); n++) id = `${plain.trim().replace(/\s+/g, "-")}-${n}`;
  env.ids?.add(id);
  tokens[i].attrSet("id", id);
  env.headings?.push({ level: Number(tokens[i].tag.slice(1)), id, html: md.renderInline(inline.content, {}), cell: env.cell ?? -1 });
  return self.renderToken(tokens, i, options);
};

// TeX that no formula picked up: text (not code, not math) with $…$, $$ or a \command in it,
// which a reader would see as source. The same patterns as the browser test's "no raw TeX".
const STRAY_TEX = /\$\$|\$[^$\s](?:[^$\n]*[^$\s\\])?\$|\\[A-Za-z]+|[_^]\{/;
function strayTex(tokens: ReturnType<typeof md.parse>): string | undefined {
  for (const t of tokens) {
    const found = t.children ? strayTex(t.children) : t.type === "text" ? STRAY_TEX.exec(t.content) : null;
    if (typeof found === "string") return found;
    if (found) return t.content.slice(Math.max(0, found.index - 30), found.index + found[0].length + 30);
  }
  return undefined;
}

function checked(source: string, tokens: ReturnType<typeof md.parse>): ReturnType<typeof md.parse> {
  const stray = strayTex(tokens);
  if (stray) throw new FormulaError(`TeX not picked up as a formula (check its $ delimiters): "…${stray.replace(/\s+/g, " ")}…"`);
  glueToFormulas(tokens);
  return tokens;
}

export function renderMarkdown(source: string, env: PageEnv = { headings: [], ids: new Set() }): string {
  return md.renderer.render(checked(source, md.parse(source, env)), md.options, env);
}

export function renderInline(source: string): string {
  return md.renderer.render(checked(source, md.parseInline(source, {})), md.options, {});
}

// text/latex outputs carry $$…$$ (display), as the notebook's display helper emits them.
export function latex(source: string): string {
  const m = /^\s*\$\$([\s\S]*)\$\$\s*$/.exec(source) ?? /^\s*\$([\s\S]*)\$\s*$/.exec(source);
  if (!m && /\$/.test(source)) throw new FormulaError(`a text/latex output with unbalanced $ delimiters: ${source.slice(0, 80)}`);
  return typeset(m ? m[1] : source, true);
}


// A Vega-Lite spec drawn as SVG (no canvas, no DOM needed).
export async function vegaLite(spec: unknown): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec as TopLevelSpec).spec), { renderer: "none" });
  return view.toSVG();
}

// One stored output as HTML; throws FormulaError when a formula in it cannot be typeset.
export async function outputHtml(o: Output): Promise<string> {
  if (o.output_type === "stream") return `<pre class="output ${o.name ?? "stdout"}">${escape(text(o.text))}</pre>`;
  if (o.output_type === "error") return `<pre class="output stderr">${escape(text(o.text))}</pre>`;
  const data = o.data ?? {};
  const get = (mime: string): string => text(data[mime] as string | string[]);
  const vl = data["application/vnd.vegalite.v5+json"];
  if (vl) return `<div class="output plot">${await vegaLite(vl)}</div>`;
  if (data["text/latex"]) return `<div class="output math">${latex(get("text/latex"))}</div>`;
  if (data["text/markdown"]) {
    const text = get("text/markdown");
    // a failed check or a wrong answer (a line starting with ✗) gets the failure's colour
    const failed = /^\s*(?:[-*]\s+)?✗/mu.test(text) ? " failed-check" : "";
    return `<div class="output markdown${failed}">${renderMarkdown(text)}</div>`;
  }
  if (data["text/html"]) return `<div class="output html">${get("text/html")}</div>`;
  if (data["image/svg+xml"]) return `<div class="output plot">${get("image/svg+xml")}</div>`;
  const png = data["image/png"];
  if (png) return `<div class="output image"><img alt="" src="data:image/png;base64,${get("image/png").trim()}"></div>`;
  return `<pre class="output stdout">${escape(get("text/plain"))}</pre>`;
}

export { messageOutput } from "./messages.mjs";
