// Prints the plain "N passed, N failed, N pending" closing line that CI logs are read for.
import type { Runner } from 'mocha';

export const mochaHooks = {};

let passed = 0;
let failed = 0;
let pending = 0;
export function mochaGlobalSetup(this: Runner): void {
  this.on('pass', () => (passed += 1));
  this.on('fail', () => (failed += 1));
  this.on('pending', () => (pending += 1));
  this.once('end', () => process.stdout.write(`\n${passed} passed, ${failed} failed, ${pending} pending\n`));
}
