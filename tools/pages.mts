// What the static export (export.mts) and the live pages (live.mts) share: the command line,
// KaTeX's stylesheet beside the pages, the one stylesheet of the pages, and (re-exported) the
// renderer, tools/render/outputs.mts.
import { cpSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";
import { listNotebooks } from "./ipynb.mjs";
import { notebooksDir } from "./env.mjs";

export * from "./render/outputs.mjs";

// `--from DIR` (default notebooks/) and `--out DIR`; the notebooks found, or exit 1 when none.
// The export and the live pages link to each other: `--other DIR` names the folder of the other
// kind (default: build/live for the export, build/html for the live pages), linked relatively, so
// two folders published side by side keep their links.
export function pageFolders(defaultOut: string, defaultOther: string): { from: string; out: string; other: string; paths: string[] } {
  const args = process.argv.slice(2);
  const option = (name: string, fallback: string): string => {
    const i = args.indexOf(name);
    return i >= 0 && args[i + 1] ? resolve(args[i + 1]) : fallback;
  };
  const from = option("--from", notebooksDir);
  const out = option("--out", defaultOut);
  const other = relative(out, option("--other", defaultOther)).split(sep).join("/") || ".";
  const paths = listNotebooks(from);
  if (!paths.length) {
    console.error(`no notebooks in ${from}`);
    process.exit(1);
  }
  mkdirSync(out, { recursive: true });
  return { from, out, other, paths };
}

// katex.min.css and its woff2 fonts into out/katex/, for pages that link katex/katex.min.css.
export function copyKatex(out: string): void {
  const dist = join(dirname(createRequire(import.meta.url).resolve("katex/package.json")), "dist");
  cpSync(join(dist, "katex.min.css"), join(out, "katex", "katex.min.css"));
  cpSync(join(dist, "fonts"), join(out, "katex", "fonts"), { recursive: true, filter: (f) => !/\.(ttf|woff)$/.test(f) });
}

const hljsCss = readFileSync(createRequire(import.meta.url).resolve("highlight.js/styles/github.min.css"), "utf8");
// highlight.js's GitHub colours, without its block background (the pages draw their own)
export const highlightCss = (hljsCss.replace(/\/\*[\s\S]*?\*\//g, "").match(/[^{}]+\{[^}]*\}/g) ?? [])
  .filter((rule) => !/\.hljs\s*\{/.test(rule)).join("");

// The pages' stylesheet, shared by the export and the live pages (which add their own rules): a
// column about 900 px wide, serif text, system-ui for navigation, code coloured by highlight.js.
export const pageStyle = `
:root{--column:900px;--ink:#1f2328;--muted:#59636e;--rule:#d8dee4;--code-bg:#f6f8fa;--accent:#2f5fb3}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;color:var(--ink);background:#fff;font:17px/1.6 Charter,"Bitstream Charter","Iowan Old Style","Source Serif Pro",Georgia,serif}
main,body>header,body>footer{max-width:calc(var(--column) + 2.5rem);margin:0 auto;padding:0 1.25rem}
body>header,body>footer{font:14px/1.5 system-ui,sans-serif;color:var(--muted);padding-top:.8rem;padding-bottom:.8rem}
body>header{border-bottom:1px solid var(--rule)}body>footer{border-top:1px solid var(--rule);margin-top:3rem}
nav.pager{display:flex;gap:1.2rem;flex-wrap:wrap}nav.pager .next{margin-left:auto}
a{color:var(--accent);text-decoration-thickness:1px;text-underline-offset:2px}
h1,h2,h3,h4{font-family:system-ui,sans-serif;line-height:1.25;margin:1.8em 0 .5em}
h1{font-size:2rem;margin-top:1.2em}h2{font-size:1.45rem;padding-top:.4em;border-top:1px solid var(--rule)}h3{font-size:1.15rem}
h1:target,h2:target,h3:target,h4:target{background:#fff8c5}
p,ul,ol{margin:.7em 0}li{margin:.2em 0}
code{font:.86em/1.5 ui-monospace,"SFMono-Regular","DejaVu Sans Mono",Menlo,Consolas,monospace;background:var(--code-bg);padding:.1em .3em;border-radius:3px}
pre{font:13.5px/1.5 ui-monospace,"SFMono-Regular","DejaVu Sans Mono",Menlo,Consolas,monospace;margin:.6em 0;border-radius:4px}
pre code{background:none;padding:0;font:inherit}
pre.source{background:var(--code-bg);padding:.7em .9em;border-left:3px solid #9db4dd;overflow-x:auto}
pre.output{white-space:pre-wrap;overflow-wrap:anywhere;padding:.1em 0 .1em .9em;border-left:3px solid var(--rule);color:#24292f}
pre.stderr{background:#fdecea;border-left-color:#d1242f;padding:.5em .9em}
blockquote{margin:1em 0;padding:.1em 1em;border-left:3px solid var(--rule);color:var(--muted)}
table{border-collapse:collapse;margin:.8em 0;font-size:.92em;display:block;overflow-x:auto;max-width:100%}
th,td{padding:.3em .7em;border-bottom:1px solid var(--rule);text-align:left;vertical-align:top}th{border-bottom:2px solid #afb8c1}
section.cell{margin:.4em 0}
section.code{margin:1em 0}
.output.markdown{margin:.4em 0 .8em;padding-left:.9em;border-left:3px solid #b7dfc0;font-size:.95em;line-height:1.5}
.output.markdown.failed-check{border-left-color:#d1242f}
.output.markdown p{margin:.25em 0}
.output.markdown small{color:var(--muted);font-size:.86em}
.math{overflow-x:auto;overflow-y:hidden;max-width:100%;padding:.1em 0}
.math .katex-display{margin:.5em 0}
.katex{font-size:1.1em}
.math::-webkit-scrollbar,table::-webkit-scrollbar,pre::-webkit-scrollbar{height:10px;background:#f0f2f4}
.math::-webkit-scrollbar-thumb,table::-webkit-scrollbar-thumb,pre::-webkit-scrollbar-thumb{background:#a8b1bb;border-radius:5px}
.math,table,pre{scrollbar-width:thin;scrollbar-color:#a8b1bb #f0f2f4}
.plot{margin:.8em 0;overflow-x:auto}.plot svg{max-width:100%;height:auto}
img{max-width:100%}
details{margin:.6em 0}
details>summary{cursor:pointer;font:13px/1.6 system-ui,sans-serif;color:var(--muted);list-style:none;display:inline-block;
  padding:.1em .7em;border:1px solid var(--rule);border-radius:1em;user-select:none}
details>summary::-webkit-details-marker{display:none}
details>summary::before{content:"▸ "}details[open]>summary::before{content:"▾ "}
details>summary:hover{color:var(--ink);border-color:#afb8c1}
details.solution{border-left:3px solid #e6b85c;padding-left:.9em}
p.how-to{font:14px/1.5 system-ui,sans-serif;color:var(--muted);margin:.3em 0 0}
nav.toc{font:15px/1.5 system-ui,sans-serif;margin:1.5em 0;padding:.8em 1.1em;background:#f8f9fb;border:1px solid var(--rule);border-radius:6px}
nav.toc h2{font-size:1rem;margin:0 0 .4em;border:0;padding:0}
nav.toc ul{margin:0;padding-left:0;list-style:none}nav.toc li{margin:.15em 0}nav.toc a{text-decoration:none}nav.toc a:hover{text-decoration:underline}
nav.toc ul ul{padding-left:1.3em;font-size:.93em}nav.toc ul ul li{margin:.05em 0}
nav.toc .katex{font-size:1em}
ol.notebooks{list-style:none;padding:0}
ol.notebooks li{margin:1.2em 0;padding:.8em 1.1em;border:1px solid var(--rule);border-radius:6px}
ol.notebooks a.title{font:600 1.1rem/1.35 system-ui,sans-serif;text-decoration:none}ol.notebooks a.title:hover{text-decoration:underline}
ol.notebooks p{margin:.35em 0 0}
p.other-site{font:15px/1.5 system-ui,sans-serif;margin:1.2em 0;padding:.6em 1em;background:#f8f9fb;border:1px solid var(--rule);border-radius:6px}
.nobr{white-space:nowrap}
${highlightCss}`;
