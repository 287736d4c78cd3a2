import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

// The notebook sweep (test/notebooks.test.mts) takes the longest and spends it mostly in kernels it
// starts itself, so it starts first and the library's tests run beside it in a second worker
// (vitest's default on a 2-core machine is one worker, everything in a row).
const first = ["test/notebooks.test.mts", "test/tools.test.mts"];
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = first.findIndex((name) => f.moduleId.endsWith(name));
      return i < 0 ? first.length : i;
    };
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.mts"],
    testTimeout: 30_000,
    maxWorkers: 2,
    // The test files of a worker share one process and its modules, instead of a new process that
    // imports src/ afresh for each file (vitest's default): the library's tests take 27 CPU s
    // instead of 46, and the notebook sweep beside them gets the cores. No test file leaves state
    // that another relies on: the suite passes with `--isolate` too.
    isolate: false,
    sequence: { sequencer: LongestFirst },
  },
});
