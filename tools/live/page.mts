// The live page's own script (bundled by tools/live.mts): reads the parameters form, runs the
// notebook's compiled cells in a Web Worker with those values, and renders what each cell
// displays in place: formulas with KaTeX, Markdown (checks, tables) with markdown-it, plots with
// Vega-Lite as SVG. A cell that throws is shown as failed, in red, with its message.
import katex from "katex";
import MarkdownIt, { type PluginWithOptions } from "markdown-it";
import markdownItKatex from "@vscode/markdown-it-katex";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { Message } from "../cells/display.mjs";

interface Knob {
  name: string;
  kind: "int" | "number" | "boolean" | "string";
  min?: { op: "≥" | ">"; value: number };
  max?: { op: "≤" | "<"; value: number };
  domain: string;
  help: string;
}
declare global {
  interface Window {
    LIVE: { knobs: Knob[]; workerSource: string };
    liveStatus: { runs: number; failed: number; seconds: number; running: boolean };
  }
}

const md = new MarkdownIt({ html: true });
// The plugin is CommonJS with its function on exports.default; bundlers differ on what a default
// import of it is, so take whichever is the function.
const katexPlugin = ((markdownItKatex as unknown as { default?: unknown }).default ?? markdownItKatex) as PluginWithOptions<{
  throwOnError: boolean;
}>;
md.use(katexPlugin, { throwOnError: false });

const $ = <T extends HTMLElement>(sel: string): T => document.querySelector(sel) as T;
const status = $<HTMLElement>("#live-status");
window.liveStatus = { runs: 0, failed: 0, seconds: 0, running: false };

// The form's value for a knob, or the reason it is refused (the knob's domain).
function read(knob: Knob): { value?: unknown; error?: string } {
  const input = $<HTMLInputElement>(`#knob-${knob.name}`);
  if (knob.kind === "boolean") return { value: input.checked };
  if (knob.kind === "string") return { value: input.value };
  const raw = input.value.trim();
  const v = Number(raw);
  const bad = (why: string) => ({ error: `${knob.name} = ${raw || "(empty)"}: ${why}; expected ${knob.domain}` });
  if (raw === "" || !Number.isFinite(v)) return bad("not a number");
  if (knob.kind === "int" && !Number.isInteger(v)) return bad("not a whole number");
  if (knob.min && !(knob.min.op === "≥" ? v >= knob.min.value : v > knob.min.value)) return bad("out of range");
  if (knob.max && !(knob.max.op === "≤" ? v <= knob.max.value : v < knob.max.value)) return bad("out of range");
  return { value: v };
}

function render(el: HTMLElement, m: Message): void {
  const box = document.createElement("div");
  if (m.kind === "latex") {
    box.className = "math";
    katex.render(m.data, box, { displayMode: true, throwOnError: false });
  } else if (m.kind === "markdown") {
    box.className = "markdown";
    box.innerHTML = md.render(m.data);
  } else if (m.kind === "stdout") {
    box.className = "stdout";
    box.textContent = m.data;
  } else if (m.kind === "vegalite") {
    box.className = "plot";
    const view = new vega.View(vega.parse(compile(m.data as unknown as TopLevelSpec).spec), { renderer: "none" });
    void view.toSVG().then((svg) => (box.innerHTML = svg));
  } else if (m.kind === "error") {
    box.className = "failed";
    box.textContent = `This cell failed: ${m.data}`;
  }
  el.append(box);
}

let worker: Worker | undefined;
const workerUrl = URL.createObjectURL(new Blob([window.LIVE.workerSource], { type: "text/javascript" }));

function run(): void {
  const values: Record<string, unknown> = {};
  const errors: string[] = [];
  for (const knob of window.LIVE.knobs) {
    const { value, error } = read(knob);
    if (error) errors.push(error);
    else values[knob.name] = value;
  }
  if (errors.length) {
    status.className = "refused";
    status.textContent = errors.join("; ");
    return;
  }
  // the values that differ from the notebook's, for the status line
  const changed = window.LIVE.knobs.filter((knob) => {
    const input = $<HTMLInputElement>(`#knob-${knob.name}`);
    return knob.kind === "boolean" ? input.checked !== input.defaultChecked : input.value.trim() !== input.defaultValue;
  }).map((knob) => `${knob.name} = ${String(values[knob.name])}`).join(", ");
  worker?.terminate();
  worker = new Worker(workerUrl);
  const started = performance.now();
  const seen = new Set<number>();
  const outputs = [...document.querySelectorAll<HTMLElement>(".outputs")];
  outputs.forEach((el) => el.classList.add("stale"));
  window.liveStatus.running = true;
  status.className = "running";
  status.textContent = "running…";
  let failed = 0;
  worker.onmessage = (e: MessageEvent<Message>) => {
    const m = e.data;
    if (m.kind === "done" || m.kind === "error") {
      if (m.kind === "error") {
        failed++;
        const el = document.getElementById(`out-${m.cell}`);
        if (el) {
          if (!seen.has(m.cell)) el.replaceChildren();
          el.classList.remove("stale");
          render(el, m);
        }
      } else outputs.forEach((el) => !seen.has(Number(el.dataset.cell)) && el.replaceChildren());
      outputs.forEach((el) => m.kind === "done" && el.classList.remove("stale"));
      const seconds = (performance.now() - started) / 1000;
      Object.assign(window.liveStatus, { runs: window.liveStatus.runs + 1, failed, seconds, running: false });
      status.className = failed ? "refused" : "ok";
      status.textContent = failed
        ? `A cell failed (see the red box below); the cells after it did not run.`
        : `Every cell ran and every check passed, in ${seconds.toFixed(2)} s${changed ? `, at ${changed}` : ", at the defaults"}.`;
      return;
    }
    const el = document.getElementById(`out-${m.cell}`);
    if (!el) return;
    if (!seen.has(m.cell)) {
      seen.add(m.cell);
      el.replaceChildren();
      el.classList.remove("stale");
    }
    render(el, m);
  };
  worker.postMessage(values);
}

$<HTMLFormElement>("#knobs").addEventListener("submit", (e) => {
  e.preventDefault();
  run();
});
$<HTMLButtonElement>("#reset").addEventListener("click", () => {
  for (const knob of window.LIVE.knobs) {
    const input = $<HTMLInputElement>(`#knob-${knob.name}`);
    if (knob.kind === "boolean") input.checked = input.defaultChecked;
    else input.value = input.defaultValue;
  }
  run();
});
run();
