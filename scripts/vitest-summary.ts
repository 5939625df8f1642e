import type { Reporter, TestModule, TestSpecification, Vitest } from 'vitest/node';

// Ends the run with one plain "N passed, N failed, N skipped" line, which CI reads, and fails
// the run when any test was skipped or left as todo: a committed `.skip`, `.todo`, `skipIf` or
// `ctx.skip()` would otherwise leave a green run that proved nothing. (`.only` is refused by
// `allowOnly: false` in vitest.config.ts.) A run narrowed on purpose (`-t`, `file:line`, tags)
// skips the tests outside its filter, so there the skips are counted but do not fail the run.
export default class SummaryReporter implements Reporter {
  private vitest: Vitest | undefined;
  private narrowed = false;

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestRunStart(specifications: ReadonlyArray<TestSpecification>): void {
    const config = this.vitest?.config;
    this.narrowed =
      config?.testNamePattern !== undefined ||
      (config?.tagsFilter?.length ?? 0) > 0 ||
      specifications.some(
        (spec) =>
          spec.testNamePattern !== undefined ||
          (spec.testLines?.length ?? 0) > 0 ||
          (spec.testIds?.length ?? 0) > 0 ||
          (spec.testTagsFilter?.length ?? 0) > 0,
      );
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    const skipped: string[] = [];
    for (const module of testModules) {
      let failedHere = 0;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failedHere++;
        else skipped.push(`${module.relativeModuleId} > ${test.fullName}`);
      }
      // A file that failed to load or whose setup failed (its tests skipped) still fails.
      if (module.state() === 'failed' && failedHere === 0) failedHere = 1;
      failed += failedHere;
    }
    process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped.length} skipped\n`);
    if (skipped.length > 0 && !this.narrowed) {
      process.stdout.write(
        `\nThe run fails: ${skipped.length} test(s) skipped or todo (remove the skip, or delete the test):\n` +
          skipped.map((name) => `  - ${name}\n`).join(''),
      );
      process.exitCode = 1;
    }
  }
}
