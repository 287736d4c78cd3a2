// `npm run test:browser` (second part): the live pages, used the way a learner without an install
// uses them.
//
// Builds the live pages (tools/live.mts) into build/browser-test/live/, then for every notebook
// opens its page from file:// in Debian's Chromium with every request that is not file:, blob:
// or data: blocked, and checks:
// - the first run finishes with every check passed and every plot drawn (open → first output timed);
// - batchSize = 7 re-runs it, a rendered shape or message follows (…7×… or …×7…), every check still
//   passes, plots are redrawn; batchSize = 0 is refused in the form, with the domain; the recompute
//   time at the defaults (Run pressed → last output rendered) is printed, with the time to the last
//   output of the cells not tagged varying-output (04's timings run last);
// - editing a number in a formula cell (the decimals of a `val(…, d)`, typed in its editor) and
//   running changes that cell's output and every other check still passes;
// - a syntax error typed into that cell is reported under it with its line, nothing else breaks,
//   and Ctrl+Z then Run brings the page back;
// - the exercise: each wrong answer catalogued in the answer cell's metadata, typed into the answer
//   cell and run with Shift+Enter, gets its hint; the solution opens from "Show the solution" and,
//   typed in, gets "✓ Right";
// - reloading keeps the edits; "Revert this cell" and "Revert all" put the notebook's code back;
// - Download gives an .ipynb with the edits and the form's values (batchSize = 7), which the
//   project's runner (`npm run notebooks`, tslab kernel) then runs: it must pass;
// - on one page, a loop that never ends is ended by Stop and by the time limit, and the page
//   goes on working.
// It also proves that it can fail: test/fixtures/live-failing-check.ipynb, whose check fails at
// batchSize = 7, must be reported as failing.
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { basename, join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Page } from "playwright-core";
import { chromiumPath } from "../../tools/chromium.mjs";
import { buildDir, notebooksDir, root } from "../../tools/env.mjs";
import { findExercise, hasTag, listNotebooks, readNotebook, text, type Notebook } from "../../tools/ipynb.mjs";
import { runTool } from "../run-tool.mjs";

const runDir = join(buildDir, "browser-test", "live");
const fixtureDir = join(runDir, "fixture-src");
const downloads = join(runDir, "downloads");
let passed = 0;
let failed = 0;
const pass = (name: string, detail: string) => (passed++, console.log(`PASS  ${name} — ${detail}`));
const fail = (name: string, detail: string) => (failed++, console.log(`FAIL  ${name} — ${detail}`));

rmSync(runDir, { recursive: true, force: true });
mkdirSync(fixtureDir, { recursive: true });
mkdirSync(downloads, { recursive: true });
symlinkSync(join(root, "src"), join(downloads, "lib")); // the downloaded notebooks' ./lib/ imports
cpSync(join(root, "test", "fixtures", "live-failing-check.ipynb"), join(fixtureDir, "live-failing-check.ipynb"));
for (const [from, out] of [[notebooksDir, join(runDir, "pages")], [fixtureDir, join(runDir, "fixture")]]) {
  const built = runTool("live.mts", ["--from", from, "--out", out]);
  if (built.status !== 0) {
    console.log(`FAIL  npm run live — ${built.out}`);
    process.exit(1);
  }
}

// Page-side expressions are strings: this file is type-checked without the DOM library.
type Status = { runs: number; failed: number; seconds: number; mainSeconds: number; firstOutputSeconds: number; running: boolean };
const status = (page: Page) => page.evaluate("window.liveStatus") as Promise<Status>;
const plotsDrawn = "[...document.querySelectorAll('.plot')].every((p) => p.querySelector('svg'))";
const plotSizes = "[...document.querySelectorAll('.plot svg')].map((x) => x.outerHTML.length).join(',')";
// the first run done and every editor made (the page makes them after starting that run)
const opened = "window.liveStatus && window.liveStatus.runs === 1 && window.liveStatus.editors";
const statusText = async (page: Page) => (await page.textContent("#live-status")) ?? "";

// Waits for the run started after `runsBefore` runs to finish, its plots drawn.
async function finished(page: Page, runsBefore: number): Promise<Status> {
  await page.waitForFunction(`window.liveStatus.runs > ${runsBefore} && !window.liveStatus.running`, undefined, { timeout: 90_000 });
  await page.waitForFunction(plotsDrawn);
  return status(page);
}

async function openForm(page: Page): Promise<void> {
  if (!(await page.evaluate("document.querySelector('#params').open"))) await page.click("#params > summary");
}

async function runWith(page: Page, batchSize: string): Promise<{ ms: number; s: Status }> {
  const before = (await status(page)).runs;
  await openForm(page);
  const start = Date.now();
  if (batchSize === "defaults") await page.click("#reset");
  else {
    await page.fill("#knob-batchSize", batchSize);
    await page.click("#run");
  }
  const s = await finished(page, before);
  return { ms: Date.now() - start, s };
}

// Runs from a cell's editor with Shift+Enter, as in JupyterLab.
async function runFromCell(page: Page, cell: number): Promise<Status> {
  const before = (await status(page)).runs;
  await page.locator(`#cell-${cell} .cm-content`).click();
  await page.keyboard.press("Shift+Enter");
  return finished(page, before);
}

// Everything a page shows that can carry a shape: KaTeX's TeX annotations and the outputs' text.
const shownText = (page: Page, sel = ".outputs") =>
  page.evaluate(`[...document.querySelectorAll(${JSON.stringify(sel)})].map((e) => [...e.querySelectorAll('annotation')]` +
    ".map((a) => a.textContent).join(' ') + ' ' + e.textContent).join(' ')") as Promise<string>;

const editorText = (page: Page, cell: number) =>
  page.evaluate(`[...document.querySelectorAll('#cell-${cell} .cm-line')].map((l) => l.textContent).join('\\n')`) as Promise<string>;

// Puts the cursor right after the `column`-th character (code points) of the first editor line of
// `cell` holding `needle`, by clicking the line and moving with the arrow keys.
async function cursorAt(page: Page, cell: number, needle: string, column: number): Promise<void> {
  const line = page.locator(`#cell-${cell} .cm-line`, { hasText: needle }).first();
  await line.scrollIntoViewIfNeeded();
  await line.click();
  await page.keyboard.press("End");
  const length = [...((await line.textContent()) ?? "")].length;
  for (let k = length; k > column; k--) await page.keyboard.press("ArrowLeft");
}

// The line (1-based) of the first line of `source` holding `needle`.
const lineOf = (source: string, needle: string): number => source.split("\n").findIndex((l) => l.includes(needle)) + 1;

// The formula cell the test edits: the first visible code cell with an eq`…` formula and a
// val(X, d) (d decimals), and that edit (d → d + 2).
function formulaEdit(nb: Notebook): { cell: number; from: string; to: string } | undefined {
  for (const [i, c] of nb.cells.entries()) {
    if (c.cell_type !== "code" || ["parameters", "answer", "checker", "varying-output"].some((t) => hasTag(c, t))) continue;
    if ((c.metadata.jupyter as { source_hidden?: boolean } | undefined)?.source_hidden) continue;
    const m = /val\((\w+), (\d)\)/.exec(text(c.source));
    if (m && text(c.source).includes("eq`")) return { cell: i, from: m[0], to: `val(${m[1]}, ${Number(m[2]) + 2})` };
  }
  return undefined;
}

const browser = await chromium.launch({
  executablePath: chromiumPath, headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, acceptDownloads: true });
const times: string[] = [];
const slow: string[] = [];
const busy: string[] = [];
// A quiet machine: nothing but this test (a page's worker and its drawing, up to 2 cores) keeps the
// cores busy, i.e. a 1-minute load average at most the number of cores + 0.5. Elsewhere the 0.5 s
// bound is not judged (the times are printed all the same, with the load).
const quiet = () => loadavg()[0] <= cpus().length + 0.5;
const downloaded: string[] = [];

async function newPage(blocked: string[], errors: string[]): Promise<Page> {
  const page = await context.newPage();
  page.on("pageerror", (e) => errors.push(e.message));
  await page.route("**/*", (r) => {
    const url = r.request().url();
    if (/^(file|blob|data):/.test(url)) return r.continue();
    blocked.push(url);
    return r.abort();
  });
  return page;
}

async function testPage(file: string, expectFailure: boolean, nb: Notebook | undefined, loops: boolean): Promise<boolean> {
  const name = basename(file, ".html");
  const blocked: string[] = [];
  const errors: string[] = [];
  const page = await newPage(blocked, errors);
  let ok = true;
  const check = (what: string, good: boolean, detail: string) => {
    if (!good) ok = false;
    if (!expectFailure) (good ? pass : fail)(`${name}: ${what}`, detail);
  };
  try {
    const openedAt = Date.now();
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction(opened, undefined, { timeout: 90_000 });
    const first = await status(page);
    check("the page runs at its defaults, every check passing", first.failed === 0,
      `first output ${Math.round(first.firstOutputSeconds * 1000)} ms after opening, ` +
      `${Date.now() - openedAt} ms from opening to the first run's end`);
    const bar = (await page.evaluate("document.querySelector('#live-bar').getBoundingClientRect().height")) as number;
    check("the bar at the top is compact", bar <= 48, `${Math.round(bar)} px high`);
    await page.waitForFunction(plotsDrawn);
    const plotsBefore = (await page.evaluate(plotSizes)) as string;
    const { ms, s } = await runWith(page, "7");
    check("batchSize = 7 re-runs every cell with every check passing", s.failed === 0 && !(await page.$(".failed")),
      `recomputed in ${ms} ms`);
    const shown = await shownText(page);
    check("a shape in a rendered formula or message follows K = 7", /(^|[^\d.])7(\\times|×)|(\\times|×)\s*7(?!\d)/.test(shown), "…7× or ×7…");
    const plotsAfter = (await page.evaluate(plotSizes)) as string;
    check("plots are drawn again", plotsBefore === "" || (plotsAfter !== "" && plotsAfter.split(",").length === plotsBefore.split(",").length),
      `${plotsAfter ? plotsAfter.split(",").length : 0} plot(s)`);
    const wasQuiet = quiet();
    const atDefaults = await runWith(page, "defaults");
    const again = await runWith(page, "defaults");
    const load = loadavg()[0].toFixed(1);
    // the page's own measure (Run pressed → last output drawn), without the test's polling
    const best = atDefaults.s.seconds <= again.s.seconds ? atDefaults : again;
    const [total, main] = [Math.round(best.s.seconds * 1000), Math.round(best.s.mainSeconds * 1000)];
    const late = main < total - 5 ? `, ${main} ms to the last output before the timings` : "";
    if (!expectFailure) {
      times.push(`${name}: ${total} ms at its defaults${late} (runs ${Math.round(atDefaults.s.seconds * 1000)}, ` +
        `${Math.round(again.s.seconds * 1000)} ms; ${best.ms} ms click → seen by the test), ${ms} ms at batchSize = 7; load ${load}`);
    }
    if (!expectFailure && main > 500 && wasQuiet && quiet()) slow.push(`${name} (${main} ms)`);
    else if (!expectFailure && main > 500) busy.push(`${name} (${main} ms, load ${load})`);
    await openForm(page);
    await page.fill("#knob-batchSize", "0");
    await page.click("#run");
    const refusal = await statusText(page);
    check("batchSize = 0 is refused with the domain, the form left open", /batchSize = 0: out of range; expected \[int ≥ 1\]/.test(refusal) &&
      (await page.evaluate("document.querySelector('#params').open")) === true, refusal);
    await page.fill("#knob-batchSize", "5");
    await page.click("#params > summary"); // closes the form

    if (nb) await learner(page, nb, name, check, loops);
    check("no request left the page", blocked.length === 0, blocked.join(", ") || "none");
    check("no script error", errors.length === 0, errors.join("; ") || "none");
  } catch (e) {
    check("the page works", false, e instanceof Error ? e.message.split("\n")[0] : String(e));
  } finally {
    await page.close();
  }
  return ok;
}

type Check = (what: string, good: boolean, detail: string) => void;

// What a learner does on the page: edit, break, answer, reload, revert, download.
async function learner(page: Page, nb: Notebook, name: string, check: Check, loops: boolean): Promise<void> {
  const edit = formulaEdit(nb);
  if (!edit) {
    check("has a formula cell with val(…, d) to edit", false, "none found");
    return;
  }
  const source = text(nb.cells[edit.cell].source);
  const out = `#out-${edit.cell}`;
  const before = await shownText(page, out);
  const line = lineOf(source, edit.from);
  const lineText = source.split("\n")[line - 1];
  const digitAt = [...lineText.slice(0, lineText.indexOf(edit.from) + edit.from.length - 1)].length; // just after the digit
  await cursorAt(page, edit.cell, edit.from, digitAt);
  await page.keyboard.press("Backspace");
  await page.keyboard.type(edit.to.slice(-2, -1));
  const edited = await editorText(page, edit.cell);
  check("a number typed into a formula cell's editor", edited.includes(edit.to), `${edit.from} → ${edit.to} in cell ${edit.cell}`);
  let s = await runFromCell(page, edit.cell);
  const after = await shownText(page, out);
  check("the edited cell's output changes and every other check still passes",
    after !== before && s.failed === 0 && !(await page.$(".failed")), `cell ${edit.cell}, ${s.failed} failed`);

  // a syntax error: a stray ")" on a new last line
  await page.locator(`#cell-${edit.cell} .cm-content`).click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type("\n)");
  const errorLine = source.split("\n").length + 1;
  s = await runFromCell(page, edit.cell);
  const error = (await page.textContent(`#cell-${edit.cell} .cell-error`).catch(() => null)) ?? "";
  const stale = (await page.evaluate("document.querySelectorAll('.outputs.stale').length")) as number;
  check("a syntax error shows under its cell with its line, the other outputs kept as stale",
    new RegExp(`line ${errorLine}\\).*SyntaxError`).test(error) && stale > 0 && s.failed > 0, `${error.slice(0, 120)}; ${stale} stale`);
  await page.locator(`#cell-${edit.cell} .cm-content`).click();
  await page.keyboard.press("Control+z");
  s = await runFromCell(page, edit.cell);
  check("Ctrl+Z takes the error out and the page runs again", s.failed === 0 && (await editorText(page, edit.cell)).includes(edit.to) &&
    !(await page.$(".failed")), `${s.failed} failed`);

  // the exercise
  const ex = findExercise(nb);
  if (ex) {
    const answerOut = `#out-${ex.answerCell}`;
    const answerLine = "const myAnswer: Matrix | undefined = ";
    const type = async (expr: string): Promise<string> => {
      const current = await editorText(page, ex.answerCell);
      const l = current.split("\n").find((x) => x.includes(answerLine)) ?? "";
      await cursorAt(page, ex.answerCell, answerLine, [...l].length);
      for (let k = [...l].length; k > [...answerLine].length; k--) await page.keyboard.press("Backspace");
      await page.keyboard.type(`${expr};`);
      await runFromCell(page, ex.answerCell);
      return (await page.textContent(answerOut)) ?? "";
    };
    for (const w of ex.wrong) {
      const verdict = await type(w.answer);
      check(`the wrong answer ${w.answer} gets its hint`, /Not yet/.test(verdict) && new RegExp(w.hint).test(verdict),
        verdict.replace(/\s+/g, " ").slice(0, 140));
    }
    const solution = page.locator("details.solution").first();
    const closed = !(await solution.evaluate((d) => (d as unknown as { open: boolean }).open));
    await solution.locator("summary").click();
    const code = (await solution.locator("code").first().textContent()) ?? "";
    const expr = /= (.+);\s*$/.exec(code.trim())?.[1] ?? "";
    check("the solution is behind Show the solution and opens", closed && expr !== "", code.trim().slice(0, 100));
    const verdict = await type(expr);
    check("the solution typed into the answer cell gets ✓ Right", verdict.includes("✓ Right"), verdict.replace(/\s+/g, " ").slice(0, 100));
  }

  // kept over a reload, then reverted
  await page.reload();
  await page.waitForFunction(opened, undefined, { timeout: 90_000 });
  const kept = (await editorText(page, edit.cell)).includes(edit.to);
  const keptAnswer = !ex || !(await editorText(page, ex.answerCell)).includes("= undefined;");
  check("after a reload the edits are kept (and marked)", kept && keptAnswer &&
    (await page.getAttribute(`#cell-${edit.cell}`, "class"))?.includes("edited") === true, `cell ${edit.cell}${ex ? ` and the answer` : ""}`);

  // Download, with batchSize = 7 in the form
  await openForm(page);
  await page.fill("#knob-batchSize", "7");
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
  const saved = join(downloads, `${name}.ipynb`);
  await download.saveAs(saved);
  const file = readNotebook(saved);
  const params = file.cells.find((c) => hasTag(c, "parameters"));
  check("the downloaded notebook has the edit and the form's values", text(file.cells[edit.cell].source).includes(edit.to) &&
    /let batchSize = 7;/.test(text(params?.source)) && text(file.cells[edit.cell].source).split("\n").length === source.split("\n").length,
    text(params?.source).split("\n")[0]);
  downloaded.push(saved);
  await page.fill("#knob-batchSize", "5");
  await page.click("#params > summary");

  await page.locator(`#cell-${edit.cell} .cell-tools .revert`).click();
  check("Revert this cell puts the notebook's code back", (await editorText(page, edit.cell)) === source &&
    !(await page.getAttribute(`#cell-${edit.cell}`, "class"))?.includes("edited"), `cell ${edit.cell}`);
  if (ex) {
    await page.click("#revert-all");
    const answer = await editorText(page, ex.answerCell);
    check("Revert all puts back the answer cell too", answer.includes("= undefined;") &&
      (await page.evaluate("document.querySelectorAll('section.edited').length")) === 0 &&
      (await page.isDisabled("#revert-all")), answer.split("\n").find((l) => l.includes("myAnswer")) ?? "");
  }
  await page.reload();
  await page.waitForFunction(opened, undefined, { timeout: 90_000 });
  check("after the reverts and a reload nothing is marked edited",
    (await page.evaluate("document.querySelectorAll('section.edited').length")) === 0 && (await editorText(page, edit.cell)) === source, "");

  if (loops) {
    await olderEdit(page, nb, name, edit.cell, check);
    await endlessLoops(page, edit.cell, source, check, name);
  }
}

// An edit kept from an older version of the notebook (its cell's committed source has changed since):
// not mixed in, but shown beside the new code with "Use my edit" and "Discard".
async function olderEdit(page: Page, nb: Notebook, name: string, cell: number, check: Check): Promise<void> {
  const id = nb.cells[cell].id ?? `cell-${cell}`;
  const kept = { version: 1, older: {}, cells: { [id]: { edit: "const fromAnOlderVersion = 1;", base: "00000000000000" } } };
  await page.evaluate(`localStorage.setItem(${JSON.stringify(`backprop-by-hand:live:${name}`)}, ${JSON.stringify(JSON.stringify(kept))})`);
  await page.reload();
  await page.waitForFunction(opened, undefined, { timeout: 90_000 });
  const box = (await page.textContent(`#cell-${cell} .conflict`).catch(() => null)) ?? "";
  const untouched = (await editorText(page, cell)) === text(nb.cells[cell].source);
  check("an edit made on an older version of a cell is shown beside the new code, not mixed in",
    /changed in the notebook since you edited it/.test(box) && box.includes("fromAnOlderVersion") && untouched, box.slice(0, 80));
  await page.click(`#cell-${cell} .conflict .use-edit`);
  const used = (await editorText(page, cell)) === kept.cells[id].edit && !(await page.$(`#cell-${cell} .conflict`));
  await page.reload();
  await page.waitForFunction(opened, undefined, { timeout: 90_000 });
  check("Use my edit puts it in the editor, and it is kept from then on", used &&
    (await editorText(page, cell)) === kept.cells[id].edit && !(await page.$(".conflict")), "");
  await page.locator(`#cell-${cell} .cell-tools .revert`).click();
  await page.evaluate("localStorage.clear()");
}

// A loop that never ends, typed at the end of a cell: Stop ends it, and so does the time limit.
async function endlessLoops(page: Page, cell: number, source: string, check: Check, name: string): Promise<void> {
  const loop = async () => {
    await page.locator(`#cell-${cell} .cm-content`).click();
    await page.keyboard.press("Control+End");
    await page.keyboard.type("\nwhile (Date.now() > 0) {}");
    const before = (await status(page)).runs;
    await page.locator(`#cell-${cell} .cm-content`).click();
    await page.keyboard.press("Shift+Enter");
    return before;
  };
  const limit = (await page.evaluate("window.liveTimeLimitSeconds")) as number;
  let before = await loop();
  await page.waitForTimeout(800);
  const runningNow = (await status(page)).running;
  await page.click("#stop");
  await page.waitForFunction(`window.liveStatus.runs > ${before} && !window.liveStatus.running`, undefined, { timeout: 10_000 });
  let said = await statusText(page);
  let under = (await page.textContent(`#cell-${cell} .cell-error`).catch(() => null)) ?? "";
  check("Stop ends a run that never ends, and says where", runningNow && /^Stopped\./.test(said) && /Stop pressed/.test(under), `${said} / ${under}`);
  // the time limit, shortened for the test to 3 s (the page's own is checked to be 30 s)
  await page.evaluate("window.liveTimeLimitSeconds = 3");
  before = (await status(page)).runs;
  const started = Date.now();
  await page.locator(`#cell-${cell} .cm-content`).click();
  await page.keyboard.press("Shift+Enter");
  await page.waitForFunction(`window.liveStatus.runs > ${before} && !window.liveStatus.running`, undefined, { timeout: 20_000 });
  said = await statusText(page);
  under = (await page.textContent(`#cell-${cell} .cell-error`).catch(() => null)) ?? "";
  check("the time limit (30 s on the page) ends it too", limit === 30 && /Stopped after 3 s/.test(said) && /time limit/.test(under),
    `${((Date.now() - started) / 1000).toFixed(1)} s; ${said}`);
  await page.evaluate("window.liveTimeLimitSeconds = 30");
  await page.locator(`#cell-${cell} .cm-content`).click();
  await page.keyboard.press("Control+z");
  const s = await runFromCell(page, cell);
  check("after Stop and the time limit the page still runs", s.failed === 0 && (await editorText(page, cell)) === source, name);
}

mkdirSync(join(buildDir, "screenshots"), { recursive: true });
// LIVE_NOTEBOOKS=01,05 tests only the notebooks whose names start so (the fixture always)
const only = process.env.LIVE_NOTEBOOKS?.split(",").filter(Boolean);
const notebooks = listNotebooks(notebooksDir).filter((p) => !only || only.some((o) => basename(p).startsWith(o)));
for (const [k, path] of notebooks.entries()) {
  const name = basename(path, ".ipynb");
  await testPage(join(runDir, "pages", `${name}.html`), false, readNotebook(path), k === Math.min(2, notebooks.length - 1));
}
const fixtureOk = await testPage(join(runDir, "fixture", "live-failing-check.html"), true, undefined, false);
(fixtureOk ? fail : pass)("the failing-check fixture is reported as failing", fixtureOk ? "it passed: the checks cannot fail" : "it failed, as it must");
await screenshots();
await browser.close();

// The downloaded notebooks, through the project's runner (the tslab kernel, as JupyterLab runs them).
const ran = runTool("notebooks.mts", [...downloaded, "--out", join(runDir, "downloads-executed"), "--jobs", "2"], 1_200_000);
(ran.status === 0 && downloaded.length === notebooks.length ? pass : fail)("the downloaded notebooks run through npm run notebooks",
  ran.status === 0 ? `${downloaded.length} notebook(s) passed` : ran.out.split("\n").slice(-15).join("\n"));

console.log(`recompute times (Run pressed → last output drawn, as the page measures it; the better of two runs at the defaults):\n  ${times.join("\n  ")}`);
// The 0.5 s aim is reported, not enforced: a time depends on the machine, and a test that fails
// on a slow machine says nothing about the pages (bench/ holds the project's speed targets).
const judged = times.length - busy.length;
if (judged > 0) {
  console.log(slow.length
    ? `OVER 0.5 s  on a quiet machine, to the last output before any timings: ${slow.join(", ")} (${judged} page(s) judged)`
    : `WITHIN 0.5 s  every page measured on a quiet machine (${judged} page(s) judged)`);
}
if (busy.length) console.log(`NOT JUDGED  over 0.5 s while the machine was busy (${cpus().length} cores): ${busy.join(", ")}`);
console.log(`live pages: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

// build/screenshots/live-*.png: two pages as a learner sees them: the top with the bar, a cell
// with an error, the exercise with a hint.
async function screenshots(): Promise<void> {
  for (const name of ["01-bias-gradient-shape", "05-softmax-cross-entropy"]) {
    const nb = readNotebook(join(notebooksDir, `${name}.ipynb`));
    const page = await newPage([], []);
    await page.goto(pathToFileURL(join(runDir, "pages", `${name}.html`)).href);
    await page.waitForFunction(opened, undefined, { timeout: 90_000 });
    await page.screenshot({ path: join(buildDir, "screenshots", `live-${name}.png`) });
    await openForm(page);
    await page.screenshot({ path: join(buildDir, "screenshots", `live-${name}-form.png`) });
    await page.click("#params > summary");
    const edit = formulaEdit(nb);
    if (edit) {
      await page.locator(`#cell-${edit.cell} .cm-content`).click();
      await page.keyboard.press("Control+End");
      await page.keyboard.type("\n)");
      await runFromCell(page, edit.cell);
      await page.locator(`#cell-${edit.cell} .cell-error`).evaluate((e) =>
        (e as unknown as { scrollIntoView(o: object): void }).scrollIntoView({ block: "center" }));
      await page.screenshot({ path: join(buildDir, "screenshots", `live-${name}-error.png`) });
      await page.keyboard.press("Control+z");
    }
    const ex = findExercise(nb);
    if (ex && ex.wrong[0]) {
      const answerLine = "const myAnswer: Matrix | undefined = ";
      const l = (await editorText(page, ex.answerCell)).split("\n").find((x) => x.includes(answerLine)) ?? "";
      await cursorAt(page, ex.answerCell, answerLine, [...l].length);
      for (let k = [...l].length; k > [...answerLine].length; k--) await page.keyboard.press("Backspace");
      await page.keyboard.type(`${ex.wrong[0].answer};`);
      await runFromCell(page, ex.answerCell);
      await page.locator(`#out-${ex.answerCell}`).evaluate((e) =>
        (e as unknown as { scrollIntoView(o: object): void }).scrollIntoView({ block: "center" }));
      await page.screenshot({ path: join(buildDir, "screenshots", `live-${name}-exercise.png`) });
    }
    await page.evaluate(`localStorage.clear()`);
    await page.close();
  }
}
