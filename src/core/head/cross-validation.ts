// Choosing the L2 strength of a trained head by stratified k-fold cross-validation, and measuring the head's
// accuracy the same way. Folds are dealt deterministically: each label's examples, in the caller's (sorted) order,
// go round-robin to the folds, so every fold holds every label and the same files always give the same report.
import { fitLogisticRegression, type LinearHead, predictClass } from './logistic-regression';

/** Cross-validation needs this many examples of every label (three folds of at least one each). */
export const MIN_EXAMPLES_PER_LABEL = 3;
export const MAX_FOLDS = 5;
/** Strengths tried, on standardised features. */
export const L2_GRID: readonly number[] = [1e-4, 1e-3, 1e-2, 1e-1, 1];
/** The strength used when there are too few examples to choose one. */
export const DEFAULT_L2 = 1e-2;

export interface StrengthScore {
  readonly l2: number;
  readonly accuracy: number;
}

export interface CrossValidation {
  readonly folds: number;
  readonly l2: number;
  /** Accuracy over the held-out predictions at the chosen strength. */
  readonly accuracy: number;
  /** confusion[true][predicted] counts of held-out predictions at the chosen strength. */
  readonly confusion: number[][];
  readonly strengths: readonly StrengthScore[];
}

/** Fold index of every example. */
export function assignFolds(targets: readonly number[], classes: number, folds: number): number[] {
  const seen = new Array<number>(classes).fill(0);
  return targets.map((target) => seen[target]!++ % folds);
}

/** Null when some label has fewer than MIN_EXAMPLES_PER_LABEL examples. */
export function crossValidate(
  features: readonly ArrayLike<number>[],
  targets: readonly number[],
  classes: number,
  grid: readonly number[] = L2_GRID,
): CrossValidation | null {
  const counts = new Array<number>(classes).fill(0);
  for (const target of targets) counts[target]! += 1;
  const fewest = Math.min(...counts);
  if (fewest < MIN_EXAMPLES_PER_LABEL) return null;
  const folds = Math.min(MAX_FOLDS, fewest);
  const fold = assignFolds(targets, classes, folds);
  let best: { l2: number; accuracy: number; confusion: number[][] } | undefined;
  const strengths: StrengthScore[] = [];
  for (const l2 of grid) {
    const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
    for (let k = 0; k < folds; k += 1) {
      const train = targets.map((_, i) => i).filter((i) => fold[i] !== k);
      const head: LinearHead = fitLogisticRegression(
        train.map((i) => features[i]!),
        train.map((i) => targets[i]!),
        classes,
        { l2 },
      );
      targets.forEach((target, i) => {
        if (fold[i] === k) confusion[target]![predictClass(head, features[i]!)]! += 1;
      });
    }
    const correct = confusion.reduce((sum, row, c) => sum + row[c]!, 0);
    const accuracy = correct / targets.length;
    strengths.push({ l2, accuracy });
    // Ties go to the stronger penalty (the grid ascends): the simpler head.
    if (best === undefined || accuracy >= best.accuracy) best = { l2, accuracy, confusion };
  }
  return { folds, l2: best!.l2, accuracy: best!.accuracy, confusion: best!.confusion, strengths };
}
