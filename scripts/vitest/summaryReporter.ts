import type { Reporter, SerializedError, TestModule, TestRunEndReason } from 'vitest/node';

export interface Summary {
  passed: number;
  failed: number;
  skipped: number;
  /** Failures that are not a test's own: files that did not load, hooks that threw, unhandled errors, a failed run. */
  outsideTests: number;
}

/**
 * Counts a finished run so that `failed` is above 0 whenever vitest exits non-zero:
 * every failed test, every file or suite that recorded an error of its own (a file
 * that failed to import, a beforeAll/afterAll that threw, even when its tests
 * passed), every unhandled error, and, when vitest still calls the run failed
 * without any of those (global setup threw, no test files, interrupted), one.
 */
export function summarize(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>, reason: TestRunEndReason): Summary {
  let passed = 0;
  let failedTests = 0;
  let skipped = 0;
  let outsideTests = unhandledErrors.length;
  for (const module of testModules) {
    if (module.errors().length > 0) outsideTests += 1;
    for (const suite of module.children.allSuites()) if (suite.errors().length > 0) outsideTests += 1;
    for (const test of module.children.allTests()) {
      const state = test.result().state;
      if (state === 'passed') passed += 1;
      else if (state === 'failed') failedTests += 1;
      else skipped += 1;
    }
  }
  if (reason !== 'passed' && failedTests + outsideTests === 0) outsideTests = 1;
  return { passed, failed: failedTests + outsideTests, skipped, outsideTests };
}

/**
 * Ends a run with one plain line, `N passed, N failed, N skipped`, that any CI
 * reader understands (vitest's own summary is decorated and says nothing of
 * files that failed outside a test).
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>, reason: TestRunEndReason): void {
    const { passed, failed, skipped, outsideTests } = summarize(testModules, unhandledErrors, reason);
    const why = outsideTests > 0 ? `(${outsideTests} failed outside any test: a file that did not load, a hook that threw, an unhandled error or global setup; see vitest's report)\n` : '';
    process.stdout.write(`\n${why}${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
