import assert from 'node:assert/strict';
import { formatDuration, formatProgressLine, formatSummary } from '../../../src/cli/batch/batch-progress';
import { planWorkers } from '../../../src/cli/batch/engine-workers';

const counts = {
  total: 10,
  done: 3,
  failed: 1,
  skipped: 1,
  tokens: 12_000,
  bytesTotal: 1000,
  bytesFinished: 500,
  bytesRun: 400,
  elapsedMs: 4000,
};

describe('batch progress', () => {
  it('shows documents, tokens, tokens/s and an ETA from the bytes still to read', () => {
    // 500 bytes left at 400 bytes per 4 s: 5 s.
    assert.equal(formatProgressLine(counts, 10), '█████░░░░░ 5/10 documents (1 failed), 12,000 tokens, 3,000 tokens/s, ETA 5s');
    assert.match(formatProgressLine({ ...counts, bytesRun: 0 }), /ETA \?$/);
  });

  it('sums up with the worker plan', () => {
    assert.equal(
      formatSummary(counts, { workers: 2, threadsPerWorker: 1 }, 'out.jsonl'),
      '3 documents done, 1 failed, 1 already in out.jsonl; 12,000 tokens in 4.0 s: 3,000 tokens/s, 0.75 documents/s (2 workers x 1 thread)',
    );
  });

  it('formats durations', () => {
    assert.deepEqual([formatDuration(400), formatDuration(61_000), formatDuration(3_725_000)], ['0s', '1m01s', '1h02m']);
  });
});

describe('planWorkers', () => {
  it('splits the cores: one single-threaded worker per core for short documents unless told otherwise', () => {
    assert.deepEqual(planWorkers(2), { workers: 2, threadsPerWorker: 1 });
    assert.deepEqual(planWorkers(8, 2), { workers: 2, threadsPerWorker: 4 });
    assert.deepEqual(planWorkers(8, undefined, 4), { workers: 2, threadsPerWorker: 4 });
    assert.deepEqual(planWorkers(2, 4), { workers: 4, threadsPerWorker: 1 });
    assert.deepEqual(planWorkers(1), { workers: 1, threadsPerWorker: 1 });
  });

  it('gives long documents one worker with every core, as bench/batch-workers.ts measured', () => {
    assert.deepEqual(planWorkers(2, undefined, undefined, 2_000), { workers: 2, threadsPerWorker: 1 });
    assert.deepEqual(planWorkers(2, undefined, undefined, 20_000), { workers: 1, threadsPerWorker: 2 });
    assert.deepEqual(planWorkers(2, 2, undefined, 20_000), { workers: 2, threadsPerWorker: 1 });
  });
});
