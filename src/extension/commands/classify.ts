// "Longformer Lens: Classify Document": the label with its probability in the status bar (a notification for the
// session's first result only, or for each while the status bar is hidden), each chunk's in the results view and as a CodeLens, and every probability in the log
// with the lines each chunk covers. A model without a classification head classifies zero-shot or with a trained
// head (classify-method.ts).
import * as vscode from 'vscode';
import type { ProviderChoice } from '../../core/runtime/provider-choice';
import type { Classification } from '../../core/tasks/classify';
import type { ClassifyMethod } from '../../worker/protocol';
import { describeMethod, pickMethod, rememberedMethod, rememberMethod } from '../classify-method';
import type { LensContext } from '../context';
import { documentRequest } from '../document-request';
import { markedGlobalNote } from '../result-store';
import { approximationNote, runJob, runTask } from '../run-task';
import { RESULTS_VIEW_ID } from '../views/results-view';

const percent = (p: number): string => `${(100 * p).toFixed(1)}%`;

function headline(result: Classification): string {
  const best = result.labels.indexOf(result.label);
  return `${result.label} ${percent(result.probabilities[best] ?? 0)}`;
}

/** `method` (from tests or other extensions) skips the question and is remembered like a picked one. */
export async function classifyDocument(
  lens: LensContext,
  method?: ClassifyMethod,
  provider?: ProviderChoice,
): Promise<Classification | undefined> {
  const request = await documentRequest(lens, 'classification', provider);
  if (request === undefined) return undefined;
  const { editor, params } = request;
  const chosen = method ?? (await methodFor(lens, params.modelDir));
  if (chosen === undefined) return undefined;
  if (method !== undefined && method.kind !== 'fine-tuned-head') await rememberMethod(lens, params.modelDir, method);
  const document = editor.document;
  const result = await runTask(
    lens,
    {
      task: 'classification',
      title: 'Classifying',
      document,
      model: params,
      retry: (onCpu) => void classifyDocument(lens, chosen, onCpu ? 'cpu' : provider),
    },
    ({ signal, onProgress, onEngine }) => lens.worker.request('classify', { ...params, method: chosen }, { signal, onProgress, onEngine }),
    headline,
  );
  lens.chunkLenses.refresh();
  if (result === undefined) return undefined;
  const how = describeMethod(result.method, chosen);
  const best = result.labels.indexOf(result.label);
  const others = result.labels.map((label, i) => `${label} ${percent(result.probabilities[i] ?? 0)}`).filter((_, i) => i !== best);
  const marked = markedGlobalNote(result);
  lens.log.info(
    `classified ${document.fileName} with the ${how} on ${result.provider}: ${headline(result)}; ${others.join(', ')}` +
      (marked === undefined ? '' : `; ${marked}`) +
      approximationNote(result),
  );
  if ('calibration' in result) {
    const prior = result.labels.map((label, i) => `${label} ${percent(result.calibration.probabilities[i] ?? 0)}`).join(', ');
    lens.log.info(`  template "${result.template}", calibrated against "${result.calibration.input}" (${prior})`);
  }
  result.chunks.forEach((chunk, i) => {
    const first = document.positionAt(chunk.start).line + 1;
    const last = document.positionAt(chunk.end).line + 1;
    const probabilities = result.labels.map((label, k) => `${label} ${percent(chunk.probabilities[k] ?? 0)}`).join(', ');
    lens.log.info(`  chunk ${i + 1} (lines ${first}-${last}): ${probabilities}`);
  });
  result.warnings.forEach((warning) => lens.log.warn(warning));
  // The status bar shows every result; a notification introduces the session's first one only, or tells every one
  // when the user hid the status bar.
  const statusBarVisible = vscode.workspace.getConfiguration('workbench.statusBar').get<boolean>('visible', true);
  if (!lens.classifiedOnce || !statusBarVisible) {
    lens.classifiedOnce = true;
    const chunkNote = result.chunks.length > 1 ? ` over ${result.chunks.length} chunks` : '';
    const actions = chosen.kind === 'fine-tuned-head' ? ['Show Chunks'] : ['Show Chunks', 'Change Method'];
    void vscode.window
      .showInformationMessage(
        `Longformer Lens: ${headline(result)}${chunkNote} (${how}${marked === undefined ? '' : `, ${marked}`}). ${others.join(', ')}.${approximationNote(result)}` +
          (statusBarVisible ? ' Later results show in the status bar and the results view.' : ''),
        ...actions,
      )
      .then(async (choice) => {
        if (choice === 'Show Chunks') await vscode.commands.executeCommand(`${RESULTS_VIEW_ID}.focus`);
        if (choice === 'Change Method' && (await pickMethod(lens, params.modelDir, 'This model')) !== undefined) {
          await classifyDocument(lens);
        }
      });
  }
  return result;
}

/** The checkpoint's own head when it has one; otherwise the method remembered for this model, or the user's pick. */
async function methodFor(lens: LensContext, modelDir: string): Promise<ClassifyMethod | undefined> {
  const model = await runJob(lens, 'Reading the model', (signal) => lens.worker.request('modelHead', { modelDir }, { signal }));
  if (model === undefined) return undefined;
  if (model.head === 'sequence-classification') return { kind: 'fine-tuned-head' };
  return rememberedMethod(lens, modelDir) ?? pickMethod(lens, modelDir, model.architecture);
}
