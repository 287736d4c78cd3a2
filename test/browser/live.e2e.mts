// `npm run test:browser` (second part): the live pages, opened the way a reader opens them.
//
// Builds the live pages (tools/live.mts) into build/browser-test/live/, then for every notebook
// opens its page from file:// in Debian's Chromium with every request that is not file:, blob:
// or data: blocked, and checks: the first run finishes with every check passed and every plot
// drawn; batchSize = 7 re-runs it, a rendered shape or message follows (…7×… or …×7…), every
// check still passes, plots are redrawn; batchSize = 0 is refused in the form, with the domain.
// The recompute time (Run pressed → last output rendered) is measured and printed per notebook.
// It also proves that it can fail: test/fixtures/live-failing-check.ipynb, whose check fails at
// batchSize = 7, must be reported as failing.
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Page } from "playwright-core";
import { chromiumPath } from "../../tools/chromium.mjs";
import { buildDir, notebooksDir, root } from "../../tools/env.mjs";
import { listNotebooks } from "../../tools/ipynb.mjs";
import { runTool } from "../run-tool.mjs";

const runDir = join(buildDir, "browser-test", "live");
const fixtureDir = join(runDir, "fixture-src");
let passed = 0;
let failed = 0;
const pass = (name: string, detail: string) => (passed++, console.log(`PASS  ${name} — ${detail}`));
const fail = (name: string, detail: string) => (failed++, console.log(`FAIL  ${name} — ${detail}`));

rmSync(runDir, { recursive: true, force: true });
mkdirSync(fixtureDir, { recursive: true });
cpSync(join(root, "test", "fixtures", "live-failing-check.ipynb"), join(fixtureDir, "live-failing-check.ipynb"));
for (const [from, out] of [[notebooksDir, join(runDir, "pages")], [fixtureDir, join(runDir, "fixture")]]) {
  const built = runTool("live.mts", ["--from", from, "--out", out]);
  if (built.status !== 0) {
    console.log(`FAIL  npm run live — ${built.out}`);
    process.exit(1);
  }
}

// Page-side expressions are strings: this file is type-checked without the DOM library.
type Status = { runs: number; failed: number; seconds: number; running: boolean };
const status = (page: Page) => page.evaluate("window.liveStatus") as Promise<Status>;
const plotsDrawn = "[...document.querySelectorAll('.plot')].every((p) => p.querySelector('svg'))";
const plotSizes = "[...document.querySelectorAll('.plot svg')].map((x) => x.outerHTML.length).join(',')";

async function runWith(page: Page, batchSize: string, runsBefore: number): Promise<{ ms: number; s: Status }> {
  const start = Date.now();
  if (batchSize === "defaults") await page.click("#reset");
  else {
    await page.fill("#knob-batchSize", batchSize);
    await page.click("#run");
  }
  await page.waitForFunction(`window.liveStatus.runs > ${runsBefore} && !window.liveStatus.running`, undefined, { timeout: 60_000 });
  // the last output is rendered when the plots' SVG has been written (Vega renders asynchronously)
  await page.waitForFunction(plotsDrawn);
  return { ms: Date.now() - start, s: await status(page) };
}

// Everything a page shows that can carry a shape: KaTeX's TeX annotations and the outputs' text.
const shownText = (page: Page) =>
  page.evaluate("[...document.querySelectorAll('.outputs')].map((e) => [...e.querySelectorAll('annotation')]" +
    ".map((a) => a.textContent).join(' ') + ' ' + e.textContent).join(' ')") as Promise<string>;

const browser = await chromium.launch({
  executablePath: chromiumPath, headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const times: string[] = [];
async function testPage(file: string, expectFailure: boolean): Promise<boolean> {
  const name = basename(file, ".html");
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const blocked: string[] = [];
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.route("**/*", (r) => {
    const url = r.request().url();
    if (/^(file|blob|data):/.test(url)) return r.continue();
    blocked.push(url);
    return r.abort();
  });
  let ok = true;
  const check = (what: string, good: boolean, detail: string) => {
    if (!good) ok = false;
    if (!expectFailure) (good ? pass : fail)(`${name}: ${what}`, detail);
  };
  try {
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction("window.liveStatus && window.liveStatus.runs === 1", undefined, { timeout: 60_000 });
    const first = await status(page);
    check("the page runs at its defaults, every check passing", first.failed === 0, `${first.seconds.toFixed(2)} s in the worker`);
    await page.waitForFunction(plotsDrawn);
    const plotsBefore = (await page.evaluate(plotSizes)) as string;
    const { ms, s } = await runWith(page, "7", first.runs);
    check("batchSize = 7 re-runs every cell with every check passing", s.failed === 0 && !(await page.$(".failed")),
      `recomputed in ${ms} ms`);
    const text = await shownText(page);
    check("a shape in a rendered formula or message follows K = 7", /(^|[^\d.])7(\\times|×)|(\\times|×)\s*7(?!\d)/.test(text), "…7× or ×7…");
    const plotsAfter = (await page.evaluate(plotSizes)) as string;
    check("plots are drawn again", plotsBefore === "" || (plotsAfter !== "" && plotsAfter.split(",").length === plotsBefore.split(",").length),
      `${plotsAfter ? plotsAfter.split(",").length : 0} plot(s)`);
    const atDefaults = await runWith(page, "defaults", s.runs);
    times.push(`${name}: ${atDefaults.ms} ms at its defaults, ${ms} ms at batchSize = 7`);
    await page.fill("#knob-batchSize", "0");
    await page.click("#run");
    const refusal = (await page.textContent("#live-status")) ?? "";
    check("batchSize = 0 is refused with the domain", /batchSize = 0: out of range; expected \[int ≥ 1\]/.test(refusal), refusal);
    const answer = (await page.evaluate("[...document.querySelectorAll('section.answer')].map((e) => e.textContent)")) as string[];
    if (answer.length) {
      check("the exercise says it is answered in JupyterLab, with the command", answer.every((t) => /open the notebook in JupyterLab \(npm start\)/.test(t) &&
        !/✎/.test(t)), answer[0].replace(/\s+/g, " ").slice(-160));
    }
    check("no request left the page", blocked.length === 0, blocked.join(", ") || "none");
    check("no script error", errors.length === 0, errors.join("; ") || "none");
    await page.screenshot({ path: join(buildDir, "screenshots", `live-${name}.png`) });
  } catch (e) {
    check("the page works", false, e instanceof Error ? e.message.split("\n")[0] : String(e));
  } finally {
    await page.close();
  }
  return ok;
}

mkdirSync(join(buildDir, "screenshots"), { recursive: true });
for (const nb of listNotebooks(notebooksDir)) await testPage(join(runDir, "pages", `${basename(nb, ".ipynb")}.html`), false);
const fixtureOk = await testPage(join(runDir, "fixture", "live-failing-check.html"), true);
(fixtureOk ? fail : pass)("the failing-check fixture is reported as failing", fixtureOk ? "it passed: the checks cannot fail" : "it failed, as it must");
await browser.close();
console.log(`recompute times (Run → last output rendered):\n  ${times.join("\n  ")}`);
console.log(`live pages: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
