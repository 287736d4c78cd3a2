// Every notebook, executed headless: at its defaults, with each knob one at a time at its documented
// minimum, a few times its default and its documented maximum (plus batchSize=64), and with its
// exercise's solution and catalogued wrong answers.
// Every run goes through the Node engine (the cells in a new worker thread, a fraction of a second
// each); the defaults run goes through the tslab kernel too, and the Node run must show exactly
// the kernel's outputs (the exercise run's types are checked under strict by
// tools/typecheck-notebooks.mts; `npm run test:browser` runs every notebook in the kernel at two
// more batch sizes). The committed outputs must equal the kernel's fresh defaults run. The
// conventions that need no kernel are checked too.
//
// All runs go through one `npm run notebooks -- --sweep --exercise --engine split --jobs J`, J the
// number of cores, started before the tests; it prints a line as each run finishes (shown live),
// and the tests read its report. NOTEBOOK_SWEEP=fast npm test sweeps only batchSize and seed.
import { beforeAll, describe, expect, it } from "vitest";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism } from "node:os";
import { basename, join } from "node:path";
import { compareOutputs, editedNotebookHint } from "../tools/compare-outputs.mjs";
import {
  ANSWER_LINE, findExercise, hasTag, listNotebooks, longLines, MAX_LINE, NOT_ANSWERED, outputText, parameters, readNotebook, SEED_MAX, text,
} from "../tools/ipynb.mjs";
import { root, runToolLive } from "./run-tool.mjs";

const notebooks = listNotebooks(join(root, "notebooks"));
const out = join(root, "build", "test");
const reportPath = join(out, "report.json");
interface Run { notebook: string; label: string; engine: "tslab" | "node"; ok: boolean; seconds: number; message?: string; output: string; sameAsKernel?: boolean }
interface Report { seconds: number; runs: Run[] }
let report: Report | undefined;
let log = "";
const sweepMode = process.env.NOTEBOOK_SWEEP ?? "";
const fast = sweepMode === "fast";
const knobs = fast ? "batchSize's and seed's edges" : "every knob's edges";
const jobs = availableParallelism();

describe("notebooks follow the conventions", () => {
  it("the series has notebooks, each with batchSize and seed parameters, seed within the Rng's range", () => {
    expect(notebooks.length).toBeGreaterThanOrEqual(5);
    for (const p of notebooks) {
      const ps = parameters(readNotebook(p), p);
      expect(ps.map((q) => q.name), basename(p)).toEqual(expect.arrayContaining(["batchSize", "seed"]));
      const seed = ps.find((q) => q.name === "seed");
      expect(seed?.upper === undefined || seed.upper.value <= SEED_MAX, `${basename(p)}: seed's maximum is beyond 2^32 − 1`).toBe(true);
    }
  });

  it(`no notebook code line is longer than ${MAX_LINE} characters`, () => {
    const long = notebooks.flatMap((p) => longLines(readNotebook(p)).map((l) => `${basename(p)} cell ${l.cell} line ${l.line}: ${l.length} characters`));
    expect(long.join("\n")).toBe("");
  });

  for (const path of notebooks.filter((p) => !basename(p).startsWith("00-"))) {
    it(`${basename(path)}: one exercise, as the convention has it, shipped unanswered`, () => {
      const nb = readNotebook(path);
      const ex = findExercise(nb);
      expect(ex, "no code cell tagged \"answer\": every notebook after 00 ends with an exercise").toBeDefined();
      if (!ex) return;
      expect(ex.problems.join("\n")).toBe("");
      expect(ex.answerSource, "the committed answer cell must not hold a solution").toContain(ANSWER_LINE);
      const said = outputText(nb.cells[ex.answerCell]);
      expect(said, "the committed answer cell's output").toContain(NOT_ANSWERED);
      const checker = nb.cells.filter((c) => hasTag(c, "checker"));
      expect(checker.length, "one cell tagged \"checker\"").toBe(1);
      expect(text(checker[0].source), "the checker defines checkAnswer").toMatch(/function checkAnswer\(/);
    });
  }
});

describe("notebooks run headless", () => {
  beforeAll(async () => {
    if (sweepMode !== "" && !fast) {
      throw new Error(`NOTEBOOK_SWEEP is "${sweepMode}": leave it unset for every knob, or set it to fast for batchSize and seed only`);
    }
    const started = performance.now();
    rmSync(out, { recursive: true, force: true }); // no executed copy from an earlier run can stand in
    process.stderr.write(`notebooks: every notebook at its defaults, ${knobs} and its exercise (Node), and in the kernel too at the defaults; ` +
      `${jobs} at a time\n`);
    const sweep = fast ? "--sweep=fast" : "--sweep";
    const args = [sweep, "--exercise", "--engine", "split", "--jobs", String(jobs), "--out", out, "--report", reportPath];
    const r = await runToolLive("notebooks.mts", args, (line) => {
      if (/^(ok|FAILED) /.test(line)) process.stderr.write(`  ${line.replace(/\s+→ .*$/, "")}\n`);
      else if (/ runs \(\d+ notebooks?\) without error/.test(line)) process.stderr.write(`  ${line}\n`); // the closing count
    }, 1_500_000);
    log = r.out;
    process.stderr.write(`notebooks: done in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
    if (existsSync(reportPath)) report = JSON.parse(readFileSync(reportPath, "utf8")) as Report;
  }, 1_500_000);

  it("the sweep ran and wrote its report", () => {
    expect(report, `no report from the runner:\n${log.slice(-4000)}`).toBeDefined();
  });

  for (const path of notebooks) {
    const name = `notebooks/${basename(path)}`;
    it(`${basename(path)}: runs clean at its defaults, at ${knobs} and with its exercise's answers`, () => {
      const runs = (report?.runs ?? []).filter((r) => r.notebook === name);
      expect(runs.length, "no runs of this notebook in the report").toBeGreaterThan(0);
      const failed = runs.filter((r) => !r.ok);
      expect(failed.map((r) => `${r.label} (${r.engine}):\n${r.message ?? ""}`).join("\n\n"), `failed: ${failed.map((r) => r.label).join(", ")}`).toBe("");
    });

    it(`${basename(path)}: the kernel runs it at its defaults, and Node shows the same outputs`, () => {
      const runs = (report?.runs ?? []).filter((r) => r.notebook === name);
      const kernel = runs.filter((r) => r.engine === "tslab").map((r) => r.label);
      expect(kernel).toEqual(["defaults"]);
      const compared = runs.filter((r) => r.engine === "node" && kernel.includes(r.label));
      expect(compared.map((r) => `${r.label}: ${r.sameAsKernel === true ? "same" : r.message ?? "not compared"}`))
        .toEqual(compared.map((r) => `${r.label}: same`));
    });

    it(`${basename(path)}: committed outputs equal a fresh run at the defaults`, () => {
      const fresh = join(out, "defaults", basename(path));
      expect(existsSync(fresh), "the defaults run did not produce this notebook").toBe(true);
      const diffs = compareOutputs(basename(path), readNotebook(path), readNotebook(fresh));
      const hint = diffs.length ? editedNotebookHint(path) : undefined;
      expect(diffs.join("\n"), hint ?? "committed outputs differ from a fresh run; refresh them with `npm run notebooks -- --in-place`").toBe("");
    });
  }
});
