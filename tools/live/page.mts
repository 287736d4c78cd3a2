// The live page's own script (bundled by tools/live.mts). Every code cell gets an editor; Run (or
// Shift+Enter in a cell) compiles the cells as they are now (work.mts, sucrase) and runs the whole
// notebook from the top in a new Web Worker with the form's values and the library prebundled
// (live-lib.js, in the same script); what each cell displays is rendered under it by the pages' renderer
// (tools/render/outputs.mts). A cell that does not compile or throws shows its message and line
// under it; the outputs of the cells that did not run stay, dimmed as stale. Stop, or 30 s
// without the run finishing, ends the worker. Edits are kept in localStorage (work.mts).
import type { EditorView } from "@codemirror/view";
import type { Message } from "../cells/display.mjs";
import type { Notebook } from "../nbformat.mjs";
import { messageOutput } from "../render/messages.mjs";
import { escape, outputHtml } from "../render/outputs.mjs";
import { createEditor, setText, showLine } from "./editor.mjs";
import {
  CellSyntaxError, compileCells, editedNotebook, hash, locate, parseSaved, restore, runOrder, stackLines, STORAGE_PREFIX,
  type Chunk, type LiveCell,
} from "./work.mjs";

interface Knob {
  name: string;
  kind: "int" | "number" | "boolean" | "string";
  min?: { op: "≥" | ">"; value: number };
  max?: { op: "≤" | "<"; value: number };
  domain: string;
  help: string;
}
interface LiveStatus {
  runs: number; // runs finished (passed, failed or stopped)
  failed: number; // cells that failed in the last run
  seconds: number; // the last run, from Run to its last output drawn
  mainSeconds: number; // the same, to the last output of the cells not tagged varying-output
  firstOutputSeconds: number; // from opening the page (navigation start) to its first output drawn
  compileSeconds: number; // the last run's compiling (sucrase)
  workerSeconds: number; // the last run's cells in the worker (what the "done" message says)
  cellSeconds: Record<number, number>; // the last run's time per cell in the worker
  editors: boolean; // every cell's editor is there
  running: boolean;
}
declare global {
  interface Window {
    LIVE: { name: string; knobs: Knob[]; cells: LiveCell[]; notebook: Notebook };
    LIVE_LIB: string;
    liveStatus: LiveStatus;
    liveTimeLimitSeconds: number;
  }
}
type WorkerMessage = Message | { kind: "running"; cell: number; t: number };

const { name, knobs, cells, notebook } = window.LIVE;
const $ = <T extends HTMLElement>(sel: string): T => {
  const el = document.querySelector<T>(sel);
  if (!el) throw new Error(`the page has no ${sel}`);
  return el;
};
const status = $<HTMLElement>("#live-status");
window.liveStatus = {
  runs: 0, failed: 0, seconds: 0, mainSeconds: 0, firstOutputSeconds: 0, compileSeconds: 0, workerSeconds: 0, cellSeconds: {},
  editors: false, running: false,
};
window.liveTimeLimitSeconds = 30;
const say = (cls: string, message: string): void => {
  status.className = cls;
  status.textContent = message;
  status.title = message;
};
// a click on a failure's status goes to its red box
status.addEventListener("click", () =>
  document.querySelector(".cell-error")?.scrollIntoView({ behavior: "smooth", block: "center" }));

// ---------------------------------------------------------------------------------------------
// The form

// The form's value for a knob, or the reason it is refused (the knob's domain).
function read(knob: Knob): { value?: unknown; literal?: string; error?: string } {
  const input = $<HTMLInputElement>(`#knob-${knob.name}`);
  if (knob.kind === "boolean") return { value: input.checked, literal: String(input.checked) };
  if (knob.kind === "string") return { value: input.value, literal: JSON.stringify(input.value) };
  const raw = input.value.trim();
  const v = Number(raw);
  const bad = (why: string) => ({ error: `${knob.name} = ${raw || "(empty)"}: ${why}; expected ${knob.domain}` });
  if (raw === "" || !Number.isFinite(v)) return bad("not a number");
  if (knob.kind === "int" && !Number.isInteger(v)) return bad("not a whole number");
  if (knob.min && !(knob.min.op === "≥" ? v >= knob.min.value : v > knob.min.value)) return bad("out of range");
  if (knob.max && !(knob.max.op === "≤" ? v <= knob.max.value : v < knob.max.value)) return bad("out of range");
  return { value: v, literal: String(v) };
}

function readForm(): { values: Record<string, unknown>; literals: Map<string, string>; errors: string[] } {
  const values: Record<string, unknown> = {};
  const literals = new Map<string, string>();
  const errors: string[] = [];
  for (const knob of knobs) {
    const { value, literal, error } = read(knob);
    if (error) errors.push(error);
    else {
      values[knob.name] = value;
      literals.set(knob.name, literal ?? String(value));
    }
  }
  return { values, literals, errors };
}

// The bar's one-line summary of the values: "batchSize = 5 · seed = 1".
function summarize(): void {
  $<HTMLElement>("#param-summary").textContent = knobs.map((k) => {
    const input = $<HTMLInputElement>(`#knob-${k.name}`);
    return `${k.name} = ${k.kind === "boolean" ? String(input.checked) : input.value.trim()}`;
  }).join(" · ");
}

// ---------------------------------------------------------------------------------------------
// Editors and the edits kept

const storageKey = STORAGE_PREFIX + name;
const saved = parseSaved(localStorage.getItem(storageKey));
const restored = restore(cells, saved);
const editors = new Map<number, EditorView>();
const byIndex = new Map(cells.map((c) => [c.index, c]));
const section = (i: number): HTMLElement => $<HTMLElement>(`#cell-${i}`);
// a cell's code as it is now: its editor's, or (before the editor is made) the edit kept, or the notebook's
const current = (c: LiveCell): string => editors.get(c.index)?.state.doc.toString() ?? restored.edits.get(c.index) ?? c.source;

function store(): void {
  try {
    localStorage.setItem(storageKey, JSON.stringify(saved));
  } catch (e) {
    say("refused", `Your edits could not be kept in this browser (${e instanceof Error ? e.message : String(e)}).`);
  }
}

function changed(c: LiveCell, source: string): void {
  const edited = source !== c.source;
  if (edited) saved.cells[c.id] = { edit: source, base: hash(c.source) };
  else delete saved.cells[c.id];
  store();
  section(c.index).classList.toggle("edited", edited);
  $<HTMLButtonElement>("#revert-all").disabled = Object.keys(saved.cells).length === 0;
}

function button(label: string, cls: string, title: string, onClick: () => void): HTMLButtonElement {
  const b = document.createElement("button");
  b.type = "button";
  b.className = cls;
  b.textContent = label;
  b.title = title;
  b.addEventListener("click", onClick);
  return b;
}

function mountEditor(c: LiveCell): void {
  const host = document.querySelector<HTMLElement>(`.editor[data-cell="${c.index}"]`);
  if (!host) return;
  const view = createEditor(host, restored.edits.get(c.index) ?? c.source, { run: () => run(), changed: (s) => changed(c, s) });
  editors.set(c.index, view);
  const tools = document.createElement("div");
  tools.className = "cell-tools";
  tools.append(button("Revert this cell", "revert", "Put the notebook's code back (Ctrl+Z in the cell undoes it)",
    () => setText(view, c.source)));
  host.after(tools);
  if (restored.edits.has(c.index)) section(c.index).classList.add("edited");
}

// An edit made on an older version of its cell: shown beside the notebook's new code, never mixed in;
// and edits of cells the notebook no longer has, at the top.
function showKept(): void {
  for (const { cell, edit } of restored.conflicts) {
    const c = byIndex.get(cell);
    const view = editors.get(cell);
    if (!c || !view) continue;
    const box = document.createElement("div");
    box.className = "conflict";
    box.innerHTML = "<p>This cell has changed in the notebook since you edited it. The editor shows the " +
      "notebook's new code; your edit, made on the old one, is this:</p>" + `<pre>${escape(edit)}</pre>`;
    const settle = (use: boolean) => {
      delete saved.older[c.id];
      if (use) setText(view, edit);
      store();
      box.remove();
    };
    box.append(button("Use my edit", "use-edit", "Put your edit in the editor instead", () => settle(true)),
      button("Discard", "discard", "Forget your old edit", () => settle(false)));
    editors.get(cell)?.dom.parentElement?.after(box);
  }
  if (restored.orphans.length) {
    const box = $<HTMLElement>("#notices");
    box.innerHTML = "<div class=\"conflict\"><p>You edited cells that this version of the notebook no longer has:</p>" +
      restored.orphans.map((o) => `<pre>${escape(o.edit)}</pre>`).join("") + "</div>";
    box.firstElementChild?.append(button("Discard", "discard", "Forget these edits", () => {
      for (const o of restored.orphans) {
        delete saved.cells[o.id];
        delete saved.older[o.id];
      }
      store();
      box.replaceChildren();
    }));
  }
}
$<HTMLButtonElement>("#revert-all").disabled = Object.keys(saved.cells).length === 0;

// ---------------------------------------------------------------------------------------------
// Running

// The worker script: the library (a Blob worker at a file:// address cannot import another Blob, so
// it comes first in the same script), one line of set-up, then the compiled cells, whose line L is
// the script's line L + offset.
const offset = window.LIVE_LIB.split("\n").length + 1;
const head = "\nconst __lib=self.__liveLib;" +
  // plain copies of the modules' namespaces: a cell's every use of a name is then no getter call
  "const __mods={\"./lib/index.js\":{...__lib.index},\"./lib/display.js\":{...__lib.display}};" +
  "const require=(s)=>{if(s in __mods)return __mods[s];" +
  "throw new Error(`cannot import ${s} on this page: only ./lib/index.js and ./lib/display.js`);};" +
  "const __enter=(i)=>{__lib.display.__cell(i);postMessage({kind:\"running\",cell:i,t:performance.now()});};" +
  "self.onmessage=async(__e)=>{const __params=__e.data;const __t0=performance.now();try{await(async()=>{\n";
const tail = "\n})();__lib.display.__post({kind:\"done\",seconds:(performance.now()-__t0)/1000});}catch(err){" +
  "__lib.display.__post({kind:\"error\",cell:__lib.display.__current(),data:err instanceof Error?`${err.name}: ${err.message}`" +
  ":String(err),stack:err instanceof Error?String(err.stack):undefined});}};";

let worker: Worker | undefined;
let workerUrl: string | undefined;
let timer: ReturnType<typeof setTimeout> | undefined;
let finish: ((cls: string, message: string) => void) | undefined;
let runningCell = -1; // the cell the current run is in, or -1
const outputsOf = (i: number): HTMLElement | null => document.getElementById(`out-${i}`);

// The message of a failed cell, under it, with the line in the editor selected.
function showError(cell: number, message: string, line?: number, otherCell?: number, lead = "This cell failed"): void {
  const box = document.createElement("div");
  box.className = "failed cell-error";
  const where = line === undefined ? "" : otherCell === undefined ? ` (line ${line})` : ` (line ${line} of cell ${otherCell})`;
  box.textContent = `${lead}${where}: ${message}`;
  const out = outputsOf(cell);
  if (out) out.before(box);
  else section(cell).append(box);
  const view = editors.get(otherCell ?? cell);
  if (view && line !== undefined) showLine(view, line);
}

function stopWorker(): void {
  worker?.terminate();
  worker = undefined;
  if (workerUrl) URL.revokeObjectURL(workerUrl);
  workerUrl = undefined;
  clearTimeout(timer);
  $<HTMLButtonElement>("#stop").disabled = true;
}

function run(): void {
  const { values, errors } = readForm();
  if (errors.length) {
    say("refused", errors.join("; "));
    return;
  }
  summarize();
  if (window.liveStatus.running) finish?.("refused", "Stopped: a new run started.");
  stopWorker();
  document.querySelectorAll(".cell-error").forEach((e) => e.remove());
  const outputs = [...document.querySelectorAll<HTMLElement>(".outputs")];
  outputs.forEach((el) => el.classList.add("stale"));
  const started = performance.now();
  const order = runOrder(cells);
  const late = new Set(order.filter((c) => c.tags.includes("varying-output")).map((c) => c.index));
  let script: { code: string; chunks: Chunk[] };
  try {
    script = compileCells(order.map((c) => ({ cell: c, source: current(c) })), knobs.map((k) => k.name));
  } catch (e) {
    if (!(e instanceof CellSyntaxError)) throw e;
    showError(e.cell, `${e.name}: ${e.message}`, e.line);
    window.liveStatus.runs++;
    window.liveStatus.failed = 1;
    say("refused", "A cell does not compile (click here for its red box): nothing ran; the outputs " +
      "marked \u201cnot re-run\u201d are from the run before.");
    return;
  }
  window.liveStatus.compileSeconds = (performance.now() - started) / 1000;
  workerUrl = URL.createObjectURL(new Blob([window.LIVE_LIB, head, script.code, tail], { type: "text/javascript" }));
  const url = workerUrl;
  worker = new Worker(url);
  window.liveStatus.running = true;
  $<HTMLButtonElement>("#stop").disabled = false;
  say("running", "running…");
  let failed = 0;
  runningCell = -1;
  window.liveStatus.cellSeconds = {};
  let lastStart: { cell: number; t: number } | undefined;
  let workerStart = 0;
  const pending: Promise<unknown>[] = [];
  let mainDone: Promise<unknown> | undefined;
  const first = window.liveStatus.runs === 0;
  let firstSeen = false;
  const markMain = () => {
    const now = [...pending];
    mainDone = Promise.all(now).then(() => (window.liveStatus.mainSeconds = (performance.now() - started) / 1000));
  };
  const end = (cls: string, message: string) => {
    finish = undefined;
    runningCell = -1;
    stopWorker();
    if (!mainDone) markMain();
    void Promise.all([...pending, mainDone]).then(() => {
      const seconds = (performance.now() - started) / 1000;
      Object.assign(window.liveStatus, { runs: window.liveStatus.runs + 1, failed, seconds, running: false });
      say(cls, message.replace("SECONDS", seconds.toFixed(2)));
    });
  };
  finish = end;
  const where = (line: number | undefined, cell: number): { line?: number; other?: number } => {
    const at = line === undefined ? undefined : locate(script.chunks, line - offset);
    return at ? { line: at.line, other: at.cell === cell ? undefined : at.cell } : {};
  };
  worker.onerror = (ev: ErrorEvent) => {
    // the script itself does not parse (what sucrase lets through), or an error outside the cells
    ev.preventDefault();
    const at = locate(script.chunks, ev.lineno - offset);
    failed++;
    showError(at?.cell ?? Math.max(runningCell, cells[0]?.index ?? 0), ev.message, at?.line);
    end("refused", "A cell failed (click here for its red box); the cells after it did not run.");
  };
  worker.onmessage = (e: MessageEvent<WorkerMessage>) => {
    const m = e.data;
    if (m.kind === "running") {
      if (lastStart) window.liveStatus.cellSeconds[lastStart.cell] = (m.t - lastStart.t) / 1000;
      else workerStart = m.t;
      lastStart = m;
      if (late.has(m.cell) && !mainDone) markMain();
      runningCell = m.cell;
      const el = outputsOf(m.cell);
      el?.replaceChildren();
      el?.classList.remove("stale");
      return;
    }
    if (m.kind === "done") {
      window.liveStatus.workerSeconds = m.seconds;
      if (lastStart) window.liveStatus.cellSeconds[lastStart.cell] = m.seconds - (lastStart.t - workerStart) / 1000;
      const changedKnobs = knobs.filter((k) => {
        const input = $<HTMLInputElement>(`#knob-${k.name}`);
        return k.kind === "boolean" ? input.checked !== input.defaultChecked : input.value.trim() !== input.defaultValue;
      }).map((k) => `${k.name} = ${String(values[k.name])}`).join(", ");
      outputs.forEach((el) => el.classList.remove("stale"));
      end("ok", `Every cell ran and every check passed, in SECONDS s${changedKnobs ? `, at ${changedKnobs}` : ", at the defaults"}.`);
      return;
    }
    if (m.kind === "error") {
      failed++;
      const lines = stackLines(m.stack ?? "", url);
      const inCell = lines.map((l) => locate(script.chunks, l - offset)).find((a) => a?.cell === m.cell);
      const at = inCell ? { line: inCell.line } : where(lines[0], m.cell);
      showError(m.cell, m.data, at.line, at.other);
      end("refused", "A cell failed (see the red box under it); the cells after it did not run (their outputs, " +
        "dimmed, are from the run before).");
      return;
    }
    const el = outputsOf(m.cell);
    if (!el) return;
    const box = document.createElement("div");
    el.append(box);
    pending.push(outputHtml(messageOutput(m)).then((html) => {
      box.outerHTML = html;
      if (first && !firstSeen) {
        firstSeen = true;
        window.liveStatus.firstOutputSeconds = performance.now() / 1000; // since the navigation started
      }
    }, (err: unknown) => {
      box.className = "failed";
      box.textContent = `This output cannot be drawn: ${err instanceof Error ? err.message : String(err)}`;
    }));
  };
  timer = setTimeout(() => {
    failed++;
    const limit = window.liveTimeLimitSeconds;
    if (runningCell >= 0) showError(runningCell, `the run had taken ${limit} s, the page's time limit, while this cell ran (a loop that never ends?)`, undefined, undefined, "Stopped");
    end("refused", `Stopped after ${limit} s: the run had not finished (the cell that was running says so).`);
  }, window.liveTimeLimitSeconds * 1000);
  worker.postMessage(values);
}

$<HTMLButtonElement>("#stop").addEventListener("click", () => {
  if (!finish) return;
  if (runningCell >= 0) showError(runningCell, "Stop pressed while this cell ran", undefined, undefined, "Stopped");
  finish("refused", "Stopped. The cells that had not run keep their outputs from the run before, dimmed.");
});

// ---------------------------------------------------------------------------------------------
// The bar's other buttons

// the form is closed by a run, so that it does not hide the outputs the run draws
const params = $<HTMLDetailsElement>("#params");
$<HTMLFormElement>("#knobs").addEventListener("submit", (e) => {
  e.preventDefault();
  if (!readForm().errors.length) params.open = false;
  run();
});
$<HTMLFormElement>("#knobs").addEventListener("input", summarize);
$<HTMLButtonElement>("#reset").addEventListener("click", () => {
  for (const knob of knobs) {
    const input = $<HTMLInputElement>(`#knob-${knob.name}`);
    if (knob.kind === "boolean") input.checked = input.defaultChecked;
    else input.value = input.defaultValue;
  }
  params.open = false;
  run();
});
$<HTMLButtonElement>("#revert-all").addEventListener("click", () => {
  for (const c of cells) {
    const view = editors.get(c.index);
    if (view && current(c) !== c.source) setText(view, c.source);
  }
});
$<HTMLButtonElement>("#download").addEventListener("click", () => {
  const { literals, errors } = readForm();
  if (errors.length) {
    say("refused", `Not downloaded: ${errors.join("; ")}`);
    return;
  }
  const edits = new Map<number, string>();
  for (const c of cells) if (current(c) !== c.source) edits.set(c.index, current(c));
  const nb = editedNotebook(notebook, cells, edits, literals);
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([JSON.stringify(nb, null, 1) + "\n"], { type: "application/x-ipynb+json" }));
  a.download = `${name}.ipynb`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
});
summarize();
run();
// The editors are made after the first run has started, a few at a time, so that its outputs do not
// wait for them (until its editor is there, a cell runs its kept edit, or the notebook's code).
const unmounted = [...cells];
const mountSome = (): void => {
  const started = performance.now();
  while (unmounted.length && performance.now() - started < 12) mountEditor(unmounted.shift() as LiveCell);
  if (unmounted.length) {
    setTimeout(mountSome, 0);
    return;
  }
  showKept();
  window.liveStatus.editors = true;
};
setTimeout(mountSome, 0);
