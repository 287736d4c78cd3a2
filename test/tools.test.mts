// The notebook tooling itself: the runner reports failures by the file's cell numbers and refuses
// bad parameters, a bad --out and files that are not notebooks before running anything; the knob
// sweep and the exercise check catch a notebook that breaks them (fixtures runner-*.ipynb); the
// strict type-check points at notebook cells; the output comparison catches an edited output and
// names an edited notebook; the export typesets formulas and draws plots without any script.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { compareOutputs, editedNotebookHint } from "../tools/compare-outputs.mjs";
import {
  ANSWER_LINE, exerciseEdits, exerciseVerdicts, findExercise, listNotebooks, longLines, NOT_ANSWERED, NotebookError, outputText, parameterLiteral,
  parameters, prepareRun, readNotebook, solutionBody, sweepPoints, text, withParameters, WRONG_TAG, type Cell, type Notebook, type Output, type Parameter,
} from "../tools/ipynb.mjs";
import { addPlotPictures, plotsWithoutPicture, VEGALITE } from "../tools/plot-png.mjs";
import { formatError, typecheckNotebooks } from "../tools/typecheck-notebooks.mjs";
import { copyWithLib, KERNEL_TEST_MS, root, runTool } from "./run-tool.mjs";

const fixture = (name: string) => join(root, "test", "fixtures", name);
const firstNotebook = listNotebooks(join(root, "notebooks"))[0];

describe("npm run notebooks", () => {
  it("fails on a failing cell and names the notebook, the cell as numbered in the file (also after --param), its first line and the kernel's error", () => {
    const { status, out } = runTool("notebooks.mts", [fixture("failing-cell.ipynb"), "--param", "batchSize=2", "--out", mkdtempSync(join(tmpdir(), "nb-"))]);
    expect(status).toBe(1);
    expect(out).toContain("failing-cell.ipynb");
    // cell 3 of the file, as numbered there
    expect(out).toMatch(/^ {2}cell 3 \(first line: "\/\/ this cell subtracts a 3×1 bias/m);
    expect(out).toMatch(/sub: 2×3 vs 3×1/);
    expect(out).not.toContain("never reached");
  }, KERNEL_TEST_MS);

  it.each([
    ["batchsize=3", /has no parameter "batchsize"/],
    ["batchSize=0", /batchSize=0: out of range \(must be ≥ 1\); expected \[int ≥ 1\]/],
    ["batchSize=2.5", /batchSize=2\.5: not a whole number/],
    ["batchSize=abc", /batchSize=abc: not a number/],
    ["seed=-1", /seed=-1: out of range/],
  ])("refuses --param %s before running anything", (param, message) => {
    const { status, out } = runTool("notebooks.mts", [fixture("failing-cell.ipynb"), "--param", param]);
    expect(status).toBe(2);
    expect(out).toMatch(message);
    expect(out).not.toContain("FAILED"); // nothing was executed
  });

  it.each([
    ["batchSize=9", /batchSize=9: out of range \(must be ≤ 8\); expected \[int ≥ 1, ≤ 8\]/],
    ["seed=4294967296", /seed=4294967296: out of range \(must be ≤ 4294967295\); expected \[int ≥ 0, ≤ 4294967295\]/],
    ["eta=0", /eta=0: out of range \(must be > 0\); expected \[number > 0\]/],
  ])("refuses --param %s outside an upper or exclusive bound, naming the domain", (param, message) => {
    const { status, out } = runTool("notebooks.mts", [fixture("runner-bad-domain.ipynb"), "--param", param]);
    expect(status).toBe(2);
    expect(out).toMatch(message);
  });

  it("refuses a --param given twice, naming the parameter and both values", () => {
    const { status, out } = runTool("notebooks.mts", [fixture("failing-cell.ipynb"), "--param", "batchSize=3", "--param=batchSize=5"]);
    expect(status).toBe(2);
    expect(out).toMatch(/--param batchSize is given twice \(batchSize=3 and batchSize=5\)/);
  });

  it("refuses an --out it cannot write to before running anything", () => {
    const file = join(mkdtempSync(join(tmpdir(), "nb-")), "a-file");
    writeFileSync(file, "");
    const { status, out } = runTool("notebooks.mts", [fixture("failing-cell.ipynb"), "--out", join(file, "sub")]);
    expect(status).toBe(2);
    expect(out).toMatch(/--out .*a-file\/sub is not a folder this runner can write to \(ENOTDIR\)/);
    expect(out).not.toMatch(/^(ok|FAILED) /m);
  });

  it.each([
    ["empty.ipynb", "", /empty\.ipynb: is empty, not a notebook/],
    ["corrupt.ipynb", '{"cells": [{"cell_type": "code", "sou', /corrupt\.ipynb: is not a notebook: not valid JSON/],
    ["no-cells.ipynb", '{"metadata": {}}', /no-cells\.ipynb: is not a notebook: no list of cells/],
    ["folder.ipynb", undefined, /folder\.ipynb: is a directory, not a notebook file/],
  ])("refuses %s with one line naming it, no stack trace, exit 2", (name, content, message) => {
    const dir = mkdtempSync(join(tmpdir(), "nb-"));
    if (content === undefined) mkdirSync(join(dir, name));
    else writeFileSync(join(dir, name), content);
    const { status, out } = runTool("notebooks.mts", [join(dir, name)]);
    expect(status).toBe(2);
    expect(out).toMatch(message);
    expect(out.trim().split("\n")).toHaveLength(2); // the message and the usage line
    expect(out).not.toMatch(/^\s+at /m);
  });

  it("says a notebook without a parameters cell takes no --param", () => {
    const { status, out } = runTool("notebooks.mts", [fixture("runner-no-parameters.ipynb"), "--param", "batchSize=3"]);
    expect(status).toBe(2);
    expect(out).toMatch(/runner-no-parameters\.ipynb has no code cell tagged "parameters", so it takes no --param/);
    expect(out).not.toMatch(/^\s+at /m);
  });

  it("reads --param=name=value like --param name=value", () => {
    const { status, out } = runTool("notebooks.mts", [fixture("failing-cell.ipynb"), "--param=batchSize=0"]);
    expect(status).toBe(2);
    expect(out).toMatch(/batchSize=0: out of range/);
  });

  it("refuses --in-place with parameters: committed outputs are the defaults", () => {
    const { status, out } = runTool("notebooks.mts", [fixture("failing-cell.ipynb"), "--in-place", "--param", "batchSize=2"]);
    expect(status).toBe(2);
    expect(out).toContain("--in-place");
  });

  it("refuses --in-place with another engine: committed outputs are the kernel's", () => {
    const { status, out } = runTool("notebooks.mts", [fixture("failing-cell.ipynb"), "--in-place", "--engine", "node"]);
    expect(status).toBe(2);
    expect(out).toContain("--in-place stores what the tslab kernel shows");
  });

  it("starts a kernel that never answered once more, and then runs the notebook", () => {
    // a wait of 0 s: the first kernel cannot answer in time (tslab loads its TypeScript compiler for
    // over a second), the second gets the usual wait
    const dir = mkdtempSync(join(tmpdir(), "nb-start-"));
    const args = [fixture("runner-no-parameters.ipynb"), "--out", dir, "--report", join(dir, "r.json")];
    const { status, out } = runTool("notebooks.mts", args, KERNEL_TEST_MS, { NOTEBOOKS_KERNEL_START_TIMEOUT_S: "0,180" });
    expect(status, out).toBe(0);
    expect(out).toMatch(/^ok .* \(the kernel answered at start 2: the first never did\)/m);
    const [run] = (JSON.parse(readFileSync(join(dir, "r.json"), "utf8")) as { runs: { ok: boolean; starts: number }[] }).runs;
    expect(run).toMatchObject({ ok: true, starts: 2 });
    // the kernel's language_info, which JupyterLab would otherwise write into a notebook on opening it
    const info = readNotebook(join(dir, "runner-no-parameters.ipynb")).metadata.language_info as Record<string, unknown>;
    expect(info).toMatchObject({ name: "typescript", file_extension: ".ts", mimetype: "text/typescript" });
  }, KERNEL_TEST_MS);

  it("when no kernel answers at either start, says the machine is busy and how to run that notebook again", () => {
    const dir = mkdtempSync(join(tmpdir(), "nb-start-"));
    const args = [fixture("failing-cell.ipynb"), "--param", "batchSize=2", "--out", dir];
    const { status, out } = runTool("notebooks.mts", args, KERNEL_TEST_MS, { NOTEBOOKS_KERNEL_START_TIMEOUT_S: "0" });
    expect(status, out).toBe(1);
    expect(out).toMatch(/before any cell ran: the tslab kernel never answered, at 2 starts \(waited 0 s and 0 s\)/);
    expect(out).toMatch(/This is not a failing notebook: the machine is busy \(load average [\d.]+ over the last minute, on \d+ cores\)/);
    expect(out).toContain("\n    npm run notebooks -- test/fixtures/failing-cell.ipynb --param batchSize=2\n");
    expect(out).toMatch(/\| start 2: RuntimeError: Kernel didn't respond in 0 seconds/);
    expect(out).toMatch(/^1 of these failed before any cell ran, because no kernel answered: the machine is busy/m);
    expect(out).not.toContain("sub: 2×3 vs 3×1"); // no cell ran
  }, KERNEL_TEST_MS);

  it("leaves a source notebook untouched when an in-place run fails", () => {
    const before = readFileSync(fixture("failing-cell.ipynb"), "utf8");
    const { status } = runTool("notebooks.mts", [fixture("failing-cell.ipynb"), "--in-place"], KERNEL_TEST_MS);
    expect(status).toBe(1);
    expect(readFileSync(fixture("failing-cell.ipynb"), "utf8")).toBe(before);
  }, KERNEL_TEST_MS);
});

describe("the notebook a run executes", () => {
  it("has the --param values in its parameters cell, comments kept, the checks after the answer, and keeps the file's numbering", () => {
    const nb = readNotebook(fixture("failing-cell.ipynb"));
    const { nb: run, origin, added } = prepareRun(nb, {
      params: new Map([["batchSize", "2"]]), replace: { cell: 2, source: "// new" }, append: { after: 2, sources: ["a;", "b;"], tag: "t" },
    });
    expect(origin).toEqual([0, 1, 2, null, null, 3, 4]);
    expect(added[4]).toBe("check 2 the runner appended after cell 2");
    expect(text(run.cells[1].source)).toBe(text(nb.cells[1].source).replace("let batchSize = 4;", "let batchSize = 2;"));
    expect(text(run.cells[1].source)).toMatch(/^let batchSize = 2; \/\/ \[int ≥ 1\] samples per mini-batch$/m);
    expect(run.cells.map((c) => text(c.source).split("\n")[0])).toEqual([
      "# A notebook that must fail", "let batchSize = 2; // [int ≥ 1] samples per mini-batch", "// new", "a;", "b;",
      "// this cell subtracts a 3×1 bias from a K×3 batch without broadcasting", "console.log(\"never reached\");",
    ]);
    expect(run.cells.filter((c) => c.cell_type === "code").every((c) => c.outputs?.length === 0 && c.execution_count === null)).toBe(true);
    expect(new Set(run.cells.map((c) => c.id)).size).toBe(run.cells.length); // nbformat 4.5 needs unique cell ids
    expect(text(nb.cells[2].source)).not.toBe("// new"); // the notebook read is not changed
    expect(text(nb.cells[1].source)).toContain("let batchSize = 4;");
  });

  it("rewrites only the value of each knob given, keeping types, other lines and comments", () => {
    const source = "// knobs\nlet batchSize = 5; // [int ≥ 1] K; see §2\nlet seed: number = 1; // [int ≥ 0] seed\nlet name = \"a\"; // [string] s";
    expect(withParameters(source, new Map([["seed", "7"], ["name", "\"b; // c\""]]))).toBe(
      "// knobs\nlet batchSize = 5; // [int ≥ 1] K; see §2\nlet seed: number = 7; // [int ≥ 0] seed\nlet name = \"b; // c\"; // [string] s");
    expect(() => withParameters(source, new Map([["eta", "1"]]))).toThrow(/declares no eta/);
  });
});

describe("the Node engine", () => {
  it("names a failing cell as numbered in the file (also after --param) with its error, and runs nothing after it", () => {
    const dir = mkdtempSync(join(tmpdir(), "nb-node-"));
    const { status, out } = runTool("notebooks.mts", [fixture("failing-cell.ipynb"), "--engine", "node", "--param", "batchSize=2", "--out", dir]);
    expect(status, out).toBe(1);
    expect(out).toMatch(/FAILED test\/fixtures\/failing-cell\.ipynb \(batchSize=2, node\)\n {2}cell 3 \(first line: "\/\/ this cell subtracts a 3×1 bias/);
    expect(out).toMatch(/ShapeError: sub: 2×3 vs 3×1/);
    const executed = readNotebook(join(dir, "failing-cell.ipynb"));
    const printed = executed.cells.map((c) => (c.cell_type === "code" ? outputText(c).trim() : ""));
    expect(printed.slice(2)).toEqual(["2×3", "", ""]); // cell 2 ran at batchSize=2, cell 3 failed, cell 4 never ran
    expect(text(executed.cells[1].source)).toContain("let batchSize = 2; //");
  });

  it("--engine split: a Node run that shows other outputs than the kernel fails, with the difference", () => {
    const dir = mkdtempSync(join(tmpdir(), "nb-split-"));
    const { status, out } = runTool("notebooks.mts", [fixture("engines-differ.ipynb"), "--engine", "split", "--out", dir, "--report", join(dir, "r.json")], KERNEL_TEST_MS);
    expect(status, out).toBe(1);
    const runs = (JSON.parse(readFileSync(join(dir, "r.json"), "utf8")) as { runs: { engine: string; ok: boolean; sameAsKernel?: boolean }[] }).runs;
    expect(runs.map((r) => `${r.engine} ${r.ok} ${r.sameAsKernel}`).sort()).toEqual(["node false false", "tslab true undefined"]);
    expect(out).toContain("the Node engine's outputs differ from the kernel's");
    expect(out).toMatch(/^-\[stdout\]\n-42$/m); // the kernel echoed the last expression; Node did not
  }, KERNEL_TEST_MS);
});

describe("the knob sweep", () => {
  const p = (line: string): Parameter => parameters({ cells: [{ cell_type: "code", source: line, metadata: { tags: ["parameters"] } }], metadata: {}, nbformat: 4, nbformat_minor: 5 }, "x")[0];
  const values = (line: string) => sweepPoints([p(line)]).map((q) => `${q.value} (${q.why})`);
  it("tries each knob at its minimum, a few times its default and its maximum", () => {
    expect(values("let batchSize = 5; // [int ≥ 1] K")).toEqual(["1 (minimum)", "15 (a few times the default)"]);
    expect(values("let eta = 0.5; // [number > 0] η")).toEqual(["0.005 (minimum)", "2 (a few times the default)"]);
    expect(values("let k = 4; // [int > 2, < 10] k")).toEqual(["3 (minimum)", "9 (maximum)"]);
    expect(values("let x = 2; // [number ≥ 1, ≤ 100] x")).toEqual(["1 (minimum)", "8 (a few times the default)", "100 (maximum)"]);
    expect(values("let seed = 1; // [int ≥ 0, ≤ 4294967295] seed")).toEqual(["0 (minimum)", "4294967295 (maximum)"]);
    expect(values("let seed = 1; // [int ≥ 0, ≤ 1e12] seed")).toContain("4294967295 (maximum)");
    expect(values("let on = true; // [boolean] b")).toEqual(["false (the other value)"]);
    expect(values("let epochs = 1; // [int ≥ 1] n")).toEqual(["3 (a few times the default)"]);
  });

  it("reports a notebook that fails inside its documented domain (eta=2 in [number > 0])", () => {
    const dir = mkdtempSync(join(tmpdir(), "sweep-"));
    const args = [fixture("runner-bad-domain.ipynb"), "--sweep", "--engine", "split", "--out", dir, "--report", join(dir, "r.json")];
    const { status, out } = runTool("notebooks.mts", args, KERNEL_TEST_MS);
    expect(status, out).toBe(1);
    const report = JSON.parse(readFileSync(join(dir, "r.json"), "utf8")) as { runs: { label: string; engine: string; ok: boolean; message?: string }[] };
    expect(report.runs.filter((r) => !r.ok).map((r) => r.label)).toEqual(["eta=2"]);
    const labels = (engine: string) => report.runs.filter((r) => r.engine === engine).map((r) => r.label);
    expect(labels("node")).toEqual(["defaults", "batchSize=1", "batchSize=8", "seed=0", "seed=4294967295", "eta=0.005", "eta=2"]);
    expect(labels("tslab")).toEqual(["defaults"]);
    expect(out).toMatch(/FAILED test\/fixtures\/runner-bad-domain\.ipynb \(eta=2, node\)\n {2}cell 2/);
  }, KERNEL_TEST_MS);
});

describe("exercises", () => {
  const nb = readNotebook(fixture("runner-exercise.ipynb"));
  const ex = findExercise(nb);
  const markdownOut = (s: string) => [{ output_type: "display_data" as const, data: { "text/markdown": s }, metadata: {} }];

  it("finds the answer cell, its solution line and its wrong answers", () => {
    expect(ex?.problems).toEqual([]);
    expect(ex?.solutionLine).toBe("const myAnswer: Matrix | undefined = matmul(X.T(), matmul(X, w).sub(Y)).scale(1 / K);");
    expect(ex?.wrong.map((w) => w.hint)).toEqual(["K times too large", "transposed", "sign is flipped"]);
    expect(ex?.answerSource).toContain(ANSWER_LINE);
    expect(outputText(nb.cells[ex?.answerCell ?? 0])).toContain(NOT_ANSWERED);
  });

  it("reports a shipped solution, a missing solution cell and a bad hint", () => {
    const edited = JSON.parse(JSON.stringify(nb)) as Notebook;
    const answer = edited.cells.find((c) => c.metadata.tags?.includes("answer")) as Cell;
    answer.source = text(answer.source).replace("= undefined;", "= w;");
    (answer.metadata.exercise as { wrong: { hint: string }[] }).wrong[0].hint = "(unclosed";
    edited.cells = edited.cells.filter((c) => !c.metadata.tags?.includes("solution"));
    const problems = findExercise(edited)?.problems.join("\n") ?? "";
    expect(problems).toMatch(/does not hold the line/);
    expect(problems).toMatch(/one Markdown cell tagged "solution", found 0/);
    expect(problems).toMatch(/wrong\[0\]\.hint is not a valid regular expression/);
  });

  it("wants the solution closed in a <details> block, which running the cell cannot open", () => {
    const solution = nb.cells.find((c) => c.metadata.tags?.includes("solution")) as Cell;
    expect(solutionBody(text(solution.source))).toMatch(/^```ts\nconst myAnswer/);
    const edited = JSON.parse(JSON.stringify(nb)) as Notebook;
    const open = edited.cells.find((c) => c.metadata.tags?.includes("solution")) as Cell;
    open.source = solutionBody(text(open.source)) ?? "";
    const ex2 = findExercise(edited);
    expect(ex2?.problems.join("\n")).toMatch(/between `<details><summary>Show the solution<\/summary>` and a blank line/);
    expect(ex2?.solutionLine).toBe(ex?.solutionLine); // the runner still finds the solution line
  });

  it("judges the verdicts: the solution must be right, each wrong answer must get its hint", () => {
    if (!ex) throw new Error("no exercise");
    const run = (answerSays: string, wrongSay: string[]): string[] => {
      const executed = JSON.parse(JSON.stringify(nb)) as Notebook;
      executed.cells[ex.answerCell].outputs = markdownOut(answerSays);
      executed.cells.splice(ex.answerCell + 1, 0, ...wrongSay.map((s): Cell => ({ cell_type: "code", source: "", metadata: { tags: [WRONG_TAG] }, outputs: markdownOut(s) })));
      return exerciseVerdicts(executed, ex);
    };
    const good = ["**✗ Not yet:** 3 = K times too large: a sum", "**✗ Not yet:** expected 2×1, got 1×2: the right numbers, transposed", "**✗ Not yet:** the sign is flipped"];
    expect(run("**✓ Right.** Your answer matches", good)).toEqual([]);
    expect(run("**✗ Not yet:** values differ", good)).toHaveLength(1);
    expect(run("**✓ Right.**", [good[0], good[2], good[1]])).toHaveLength(2);
    expect(run("**✓ Right.**", good.slice(0, 2))).toHaveLength(1);
    expect(exerciseEdits(ex).replace.source).toContain(ex.solutionLine);
  });

  it("runs the fixture's exercise: the solution is right, each wrong answer gets its hint; a broken copy fails", () => {
    // Copies elsewhere need a lib link: tslab compiles only files under the kernel's folder.
    const dir = join(root, "build", "test-tools", "exercise");
    copyWithLib(fixture("runner-exercise.ipynb"), dir);
    const broken = JSON.parse(JSON.stringify(nb)) as Notebook;
    const answer = broken.cells.find((c) => c.metadata.tags?.includes("answer")) as Cell;
    (answer.metadata.exercise as { wrong: { hint: string }[] }).wrong[1].hint = "a hint the checker never gives";
    const solution = broken.cells.find((c) => c.metadata.tags?.includes("solution")) as Cell;
    solution.source = text(solution.source).replace(".scale(1 / K);", ".scale(2 / K);");
    writeFileSync(join(dir, "runner-exercise-broken.ipynb"), JSON.stringify(broken));
    const report = join(dir, "out", "r.json");
    const { status, out } = runTool("notebooks.mts", [join(dir, "runner-exercise.ipynb"), join(dir, "runner-exercise-broken.ipynb"),
      "--exercise", "--engine", "node", "--jobs", "2", "--out", join(dir, "out"), "--report", report], 240_000);
    expect(status, out).toBe(1);
    const runs = (JSON.parse(readFileSync(report, "utf8")) as { runs: { notebook: string; label: string; ok: boolean; message?: string }[] }).runs;
    const verdict = (file: string, label: string) => runs.find((r) => r.notebook.endsWith(`/${file}`) && r.label === label);
    expect(verdict("runner-exercise.ipynb", "exercise")?.ok, out).toBe(true);
    expect(verdict("runner-exercise-broken.ipynb", "defaults")?.ok, out).toBe(true);
    const message = verdict("runner-exercise-broken.ipynb", "exercise")?.message ?? "";
    expect(message).toMatch(/with the solution line, the answer cell says .*twice too large.*not "✓ Right"/);
    expect(message).toMatch(/wrong answer `matmul\(matmul\(X, w\)\.sub\(Y\)\.T\(\), X\)\.scale\(1 \/ K\)` got .*transposed.*expected "Not yet" and \/a hint the checker never gives\//);
    expect(message.split("\n").filter((l) => l.includes("wrong answer"))).toHaveLength(1);
  }, 240_000);
});

describe("code lines", () => {
  it(`finds code lines over the limit by cell and line`, () => {
    const nb: Notebook = { cells: [
      { cell_type: "markdown", source: "x".repeat(300), metadata: {} },
      { cell_type: "code", source: ["ok\n", `${"y".repeat(101)}\n`, "é".repeat(100)], metadata: {} },
    ], metadata: {}, nbformat: 4, nbformat_minor: 5 };
    expect(longLines(nb)).toEqual([{ cell: 1, line: 2, length: 101 }]);
  });
});

describe("parameters cell", () => {
  const nb = readNotebook(fixture("failing-cell.ipynb"));
  it("reads names, kinds and bounds", () => {
    const ps = parameters(nb, "fixture");
    expect(ps.map((p) => [p.name, p.kind, p.bound?.op, p.bound?.value])).toEqual([["batchSize", "int", "≥", 1], ["seed", "int", "≥", 0]]);
  });
  it("turns good values into TypeScript literals", () => {
    const [batchSize] = parameters(nb, "fixture");
    expect(parameterLiteral(batchSize, "13")).toBe("13");
    expect(() => parameterLiteral(batchSize, "1e400")).toThrow(/finite/);
  });
  it("rejects a parameters cell that does not follow the convention", () => {
    const broken: Notebook = { ...nb, cells: nb.cells.map((c) => (c.metadata.tags?.includes("parameters") ? { ...c, source: "let k = 3;" } : c)) };
    expect(() => parameters(broken, "broken")).toThrow(/let name = value; \/\/ \[kind\] help/);
  });
});

describe("strict type-check of notebook cells", () => {
  it("reports a strict-mode error by notebook, cell and line", () => {
    const errors = typecheckNotebooks([fixture("type-error.ipynb")]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ cell: 2, line: 2 });
    expect(errors[0].notebook).toContain("type-error.ipynb");
    expect(errors[0].message).toMatch(/implicitly has an 'any' type/);
  });

  it("checks the exercise run too: a type error in the solution line or in a wrong answer, at the answer cell", () => {
    const dir = join(root, "build", "test-tools", "typecheck");
    const path = copyWithLib(fixture("runner-exercise.ipynb"), dir, "exercise-type-errors.ipynb");
    const nb = readNotebook(path);
    expect(typecheckNotebooks([path]), "the fixture as it is").toEqual([]);
    const answer = nb.cells.findIndex((c) => c.metadata.tags?.includes("answer"));
    const solution = nb.cells.find((c) => c.metadata.tags?.includes("solution")) as Cell;
    solution.source = text(solution.source).replace("matmul(X, w).sub(Y)", "\"not a matrix\"");
    (nb.cells[answer].metadata.exercise as { wrong: { answer: string }[] }).wrong[2].answer = "X.rows";
    writeFileSync(path, JSON.stringify(nb));
    const errors = typecheckNotebooks([path]);
    expect(errors.map((e) => [e.cell, e.line])).toEqual([[answer, 3], [answer, 1]]);
    expect(errors[0].where).toBe("the exercise run, with the solution line");
    expect(errors[0].message).toMatch(/'string' is not assignable to parameter of type 'Matrix'/);
    expect(formatError(errors[1])).toMatch(/cell \d+ line 1 \(the exercise run, check 3 .*: `checkAnswer\(X\.rows\);`\): .*'number'/);
  });

  it("names a file that is not a notebook instead of crashing", () => {
    const path = join(mkdtempSync(join(tmpdir(), "nb-")), "empty.ipynb");
    writeFileSync(path, "");
    expect(() => typecheckNotebooks([path])).toThrow(NotebookError);
    expect(() => typecheckNotebooks([path])).toThrow(/empty\.ipynb: is empty, not a notebook/);
  });
});

describe("committed outputs", () => {
  it("a hand-edited output is reported with a diff", () => {
    const nb = readNotebook(firstNotebook);
    const edited: Notebook = JSON.parse(JSON.stringify(nb)) as Notebook;
    // the first formula or Markdown output with a digit in it: one digit changed by hand
    const shown = (o: Output) => o.data?.["text/latex"] !== undefined || o.data?.["text/markdown"] !== undefined;
    const digit = (o: Output) => /\d/.test(text((o.data?.["text/latex"] ?? o.data?.["text/markdown"]) as string | string[]));
    const out = edited.cells.flatMap((c) => (c.cell_type === "code" ? c.outputs ?? [] : [])).find((o) => shown(o) && digit(o));
    expect(out, "the first notebook shows a formula or text with a number").toBeDefined();
    if (!out?.data) throw new Error("unreachable");
    const mime = out.data["text/latex"] !== undefined ? "text/latex" : "text/markdown";
    out.data[mime] = text(out.data[mime] as string | string[]).replace(/\d/, (d) => String((Number(d) + 1) % 10));
    expect(compareOutputs("nb", nb, nb)).toEqual([]);
    const diffs = compareOutputs("nb", edited, nb);
    expect(diffs).toHaveLength(1);
    expect(diffs[0]).toMatch(/^-.*\n\+/m);
  });
});

describe("plot pictures", () => {
  it("a Vega-Lite plot gets the image/png JupyterLab would add, and comparisons skip it", async () => {
    const spec = { $schema: "https://vega.github.io/schema/vega-lite/v5.json", data: { values: [{ x: 1, y: 2 }, { x: 2, y: 3 }] },
      mark: "line", encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } } };
    const nb: Notebook = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [
      { cell_type: "code", source: "plot(…)", metadata: {}, outputs: [{ output_type: "display_data", data: { [VEGALITE]: spec }, metadata: {} }] },
    ] };
    const before = JSON.parse(JSON.stringify(nb)) as Notebook;
    expect(plotsWithoutPicture(nb)).toHaveLength(1);
    expect(await addPlotPictures(nb)).toBe(1);
    const png = nb.cells[0].outputs?.[0].data?.["image/png"] as string;
    expect(Buffer.from(png, "base64").subarray(1, 4).toString()).toBe("PNG");
    expect(plotsWithoutPicture(nb)).toHaveLength(0);
    expect(compareOutputs("nb", before, nb)).toEqual([]);
  });
});

describe("an edited notebook", () => {
  it("is named, with how to restore it or refresh its outputs", () => {
    const repo = mkdtempSync(join(tmpdir(), "repo-"));
    const git = (...args: string[]) => spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: repo, encoding: "utf8" });
    git("init", "-q");
    mkdirSync(join(repo, "notebooks"));
    const path = join(repo, "notebooks", "x.ipynb");
    writeFileSync(path, "{}\n");
    expect(editedNotebookHint(path)).toMatch(/notebooks\/x\.ipynb is not committed yet/);
    git("add", ".");
    git("commit", "-qm", "x");
    expect(editedNotebookHint(path)).toBeUndefined();
    writeFileSync(path, "{ }\n");
    const hint = editedNotebookHint(path) ?? "";
    expect(hint).toMatch(/notebooks\/x\.ipynb was edited/);
    expect(hint).toContain("git checkout -- notebooks/x.ipynb");
    expect(hint).toContain("npm run notebooks -- notebooks/x.ipynb --in-place");
  });
});

describe("npm run export", () => {
  it("of a run at another batch size shows the parameters it ran with, in the notebook's words, and no runner machinery", () => {
    const dir = mkdtempSync(join(tmpdir(), "nb-K13-"));
    const notebook = listNotebooks(join(root, "notebooks")).find((p) => basename(p).startsWith("01-")) ?? firstNotebook;
    const ran = runTool("notebooks.mts", [notebook, "--engine", "node", "--param", "batchSize=13", "--out", dir], 120_000);
    expect(ran.status, ran.out).toBe(0);
    const exported = runTool("export.mts", ["--from", dir, "--out", join(dir, "html")], 120_000);
    expect(exported.status, exported.out).toBe(0);
    const html = readFileSync(join(dir, "html", basename(notebook).replace(/\.ipynb$/, ".html")), "utf8");
    const shown = html.replace(/<[^>]+>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&amp;/g, "&");
    const line = text(readNotebook(notebook).cells.find((c) => c.metadata.tags?.includes("parameters"))?.source)
      .split("\n").find((l) => l.startsWith("let batchSize ")) ?? "";
    expect(line).toMatch(/^let batchSize = \d+; \/\/ \[int/);
    expect(shown).toContain(line.replace(/= \d+;/, "= 13;")); // the line as it ran, its comment kept
    expect(shown).not.toContain(line);
    expect(shown).not.toMatch(/Injected|npm run notebooks|void 0/);
    expect(html).toMatch(/13\s*\\times|\\times\s*13/); // a formula's shape follows
  }, 240_000);

  it("keeps each solution closed behind \"Show the solution\", as in JupyterLab", () => {
    const dir = mkdtempSync(join(tmpdir(), "html-sample-"));
    copyWithLib(fixture("chapter-sample.ipynb"), join(dir, "from"));
    const { status, out } = runTool("export.mts", ["--from", join(dir, "from"), "--out", join(dir, "html")], 120_000);
    expect(status, out).toBe(0);
    const html = readFileSync(join(dir, "html", "chapter-sample.html"), "utf8");
    const solutions = [...html.matchAll(/<section class="cell markdown solution"[^>]*>([\s\S]*?)<\/section>/g)].map((m) => m[1]);
    expect(solutions).toHaveLength(1);
    expect(solutions[0]).toMatch(/^<details class="solution"><summary>Show the solution<\/summary><pre><code class="language-ts">/);
    expect(solutions[0].match(/<details/g)).toHaveLength(1);
    expect(html).not.toMatch(/show solution|<details[^>]* open/);
    expect(html).toContain('<span class="hljs-keyword">const</span>'); // code coloured at build time
  }, 120_000);

  it("writes static pages whose formulas are typeset and plots drawn, with no script", () => {
    const out = mkdtempSync(join(tmpdir(), "html-"));
    const { status, out: log } = runTool("export.mts", ["--out", out], 180_000);
    expect(status, log).toBe(0);
    expect(existsSync(join(out, "index.html"))).toBe(true);
    expect(existsSync(join(out, "katex", "katex.min.css"))).toBe(true);
    for (const path of listNotebooks(join(root, "notebooks"))) {
      const file = basename(path).replace(/\.ipynb$/, ".html");
      const page = readFileSync(join(out, file), "utf8");
      // What a reader sees: not the code (it spells TeX in strings), not KaTeX's hidden source annotation.
      const html = page.replace(/<pre class="source">[\s\S]*?<\/pre>|<annotation encoding="application\/x-tex">[\s\S]*?<\/annotation>/g, "");
      const raw = /\$\$|\\frac|<script/.exec(html);
      expect(html.includes('class="katex"'), `${file}: no typeset formula`).toBe(true);
      expect(raw && html.slice(Math.max(0, raw.index - 80), raw.index + 80), `${file}: raw TeX or a script`).toBeNull();
      expect(html.includes("katex-error"), `${file}: a KaTeX error mark`).toBe(false);
      expect(html.includes("<svg"), `${file}: no plot`).toBe(true);
    }
  }, 180_000);
});
