// "Longformer Lens: Train Classifier from Folder…": a folder with one subfolder of text files per label, a name,
// then the worker embeds every file (progress per file, cancellable), fits the head and saves it under the
// extension's global storage. The accuracy report is shown and logged; the classifier becomes this workspace's
// classification method for the model, and is offered by Classify Document from then on.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { TrainingReport } from '../../core/head/train-head';
import type { ClassifyMethod } from '../../worker/protocol';
import { classifiersDir, rememberMethod } from '../classify-method';
import { readSettings } from '../config';
import type { LensContext } from '../context';
import { modelFor } from '../model-choice';
import { runJob } from '../run-task';

/** `folder` and `name` let tests and other extensions skip the dialogs. */
export async function trainClassifier(lens: LensContext, folder?: string, name?: string): Promise<ClassifyMethod | undefined> {
  // The head is trained on the encoder of the model Classify Document uses, so that classification can use it.
  const modelDir = await modelFor(lens, 'classification');
  if (modelDir === undefined) return undefined;
  const examplesDir = folder ?? (await pickFolder());
  if (examplesDir === undefined) return undefined;
  const classifierName = name ?? (await askName(lens, examplesDir));
  if (classifierName === undefined) return undefined;
  const outDir = join(classifiersDir(lens), classifierName);
  const settings = readSettings();
  const report = await runJob(lens, `Training classifier "${classifierName}"`, (signal, onProgress) =>
    lens.worker.request(
      'trainHead',
      {
        modelDir,
        provider: settings.provider,
        precision: settings.precision,
        ...(settings.threads === undefined ? {} : { threads: settings.threads }),
        memoryBudgetBytes: settings.memoryBudgetBytes,
        examplesDir,
        outDir,
      },
      { signal, onProgress },
    ),
  );
  if (report === undefined) return undefined;
  const method: ClassifyMethod = { kind: 'trained-head', headDir: outDir };
  await rememberMethod(lens, modelDir, method);
  logReport(lens, classifierName, report);
  const summary = reportSentence(report);
  void vscode.window
    .showInformationMessage(`Longformer Lens: classifier "${classifierName}" trained. ${summary}`, 'Show Report')
    .then((choice) => {
      if (choice === 'Show Report') lens.log.show(true);
    });
  return method;
}

async function pickFolder(): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    title: 'Longformer Lens: a folder with one subfolder of text files per label',
    openLabel: 'Train on This Folder',
  });
  return picked?.[0]?.fsPath;
}

async function askName(lens: LensContext, examplesDir: string): Promise<string | undefined> {
  const suggested =
    examplesDir
      .split(/[\\/]/)
      .filter((part) => part !== '')
      .pop() ?? 'classifier';
  return vscode.window.showInputBox({
    title: 'Longformer Lens: name the classifier',
    value: suggested.replace(/[^\w.-]+/g, '-'),
    validateInput: (value) => {
      if (!/^[\w][\w.-]*$/.test(value)) return 'Letters, digits, "-", "_" and "." only, starting with a letter or digit.';
      return existsSync(join(classifiersDir(lens), value)) ? `"${value}" exists; training replaces it.` : undefined;
    },
  });
}

export function reportSentence(report: TrainingReport): string {
  const files = report.files.reduce((a, b) => a + b, 0);
  const skipped = report.skipped.length > 0 ? ` ${report.skipped.length} file(s) skipped (see the report).` : '';
  const cv = report.crossValidation;
  if (cv === null) {
    const short = report.labels.flatMap((label, i) => (report.moreNeeded[i]! > 0 ? [`${report.moreNeeded[i]} more for ${label}`] : []));
    return `${files} files; too few for a cross-validated accuracy: add ${short.join(', ')}.${skipped}`;
  }
  return `Cross-validated accuracy ${(100 * cv.accuracy).toFixed(1)}% over ${files} files (${cv.folds}-fold).${skipped}`;
}

function logReport(lens: LensContext, name: string, report: TrainingReport): void {
  lens.log.info(`classifier "${name}": ${reportSentence(report)}`);
  lens.log.info(`  labels: ${report.labels.map((label, i) => `${label} (${report.files[i]} files)`).join(', ')}`);
  lens.log.info(`  ${report.embedded} embedded, ${report.fromCache} from the cache; L2 ${report.l2}`);
  const cv = report.crossValidation;
  if (cv !== null) {
    lens.log.info('  confusion matrix (rows: true label, columns: predicted):');
    cv.confusion.forEach((row, i) => lens.log.info(`    ${report.labels[i]}: ${row.join(' ')}`));
  }
  report.skipped.forEach((file) => lens.log.warn(`  skipped ${file.path}: ${file.reason}`));
}
