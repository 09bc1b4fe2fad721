// Prints the plain closing line CI reads, `N passed, N failed`, from vitest's JSON
// report. When the run never reached vitest (install, build, typecheck or lint
// failed) there is no report: that counts as one failure, so CI never reads a
// broken build as "no tests".
import { existsSync, readFileSync } from 'node:fs';

const [reportPath, statusText] = process.argv.slice(2);
const status = Number(statusText ?? '1');
let passed = 0;
let failed = 0;
if (reportPath !== undefined && existsSync(reportPath)) {
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  passed = report.numPassedTests ?? 0;
  failed = report.numFailedTests ?? 0;
  // A suite that fails to load has no failed tests but must still count.
  if (failed === 0) failed = report.numFailedTestSuites ?? 0;
}
if (status !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(status !== 0 ? status : failed > 0 ? 1 : 0);
