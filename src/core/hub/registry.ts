// The curated list of known Longformer checkpoints (models/registry.json), checked on load. It feeds pickers and
// descriptions only: a download works the same for a repository the registry does not know or describes wrongly.
import registryJson from '../../../models/registry.json';
import { LensError } from '../errors';
import { isValidRepoId } from './repo-spec';

/** `base`: the pretrained encoder (MLM head); the others name the fine-tuned head. */
export type ModelTask = 'base' | 'question-answering' | 'sequence-classification' | 'token-classification';

const TASKS: readonly ModelTask[] = ['base', 'question-answering', 'sequence-classification', 'token-classification'];

export interface RegistryEntry {
  /** Hub repository id, `org/name`. */
  readonly id: string;
  readonly task: ModelTask;
  /** Approximate download size of one weight format, in bytes. */
  readonly approxSizeBytes: number;
  /** Approximate parameter count, when recorded. */
  readonly parameters?: number;
  /** SPDX-style license id from the model card, or `unknown` when not recorded here. */
  readonly license: string;
  /** One line for a picker. */
  readonly description: string;
  /** Class labels in head order, for classification checkpoints. */
  readonly labels?: readonly string[];
}

/** Validates the registry document; every problem names the entry and the field. */
export function validateRegistry(document: unknown): RegistryEntry[] {
  const fail = (where: string, what: string): never => {
    throw new LensError('BAD_CONFIG', `models/registry.json: ${where}: ${what}.`);
  };
  const models = typeof document === 'object' && document !== null ? (document as { models?: unknown }).models : undefined;
  if (!Array.isArray(models)) return fail('top level', 'expected a "models" array');
  const seen = new Set<string>();
  return models.map((raw: unknown, index): RegistryEntry => {
    const where = `models[${index}]`;
    if (typeof raw !== 'object' || raw === null) return fail(where, 'expected an object');
    const entry = raw as Record<string, unknown>;
    const { id, task, approxSizeBytes, parameters, license, description, labels } = entry;
    if (typeof id !== 'string' || !isValidRepoId(id) || !id.includes('/'))
      return fail(where, `id must be "org/name", got ${JSON.stringify(id)}`);
    if (seen.has(id)) fail(where, `${id} is listed twice`);
    seen.add(id);
    if (typeof task !== 'string' || !(TASKS as readonly string[]).includes(task))
      return fail(`${id}`, `task must be one of ${TASKS.join(', ')}`);
    if (typeof approxSizeBytes !== 'number' || !Number.isSafeInteger(approxSizeBytes) || approxSizeBytes <= 0)
      return fail(id, 'approxSizeBytes must be a positive integer');
    if (parameters !== undefined && (typeof parameters !== 'number' || !Number.isSafeInteger(parameters) || parameters <= 0))
      return fail(id, 'parameters must be a positive integer');
    if (typeof license !== 'string' || license.trim() === '')
      return fail(id, 'license must be a non-empty string ("unknown" when not recorded)');
    if (typeof description !== 'string' || description.trim() === '' || /[\r\n]/.test(description) || description.length > 160) {
      return fail(id, 'description must be one line of at most 160 characters');
    }
    if (labels !== undefined && (!Array.isArray(labels) || labels.length === 0 || !labels.every((label) => typeof label === 'string'))) {
      return fail(id, 'labels must be a non-empty list of strings');
    }
    return {
      id,
      task: task as ModelTask,
      approxSizeBytes,
      ...(parameters === undefined ? {} : { parameters }),
      license,
      description,
      ...(labels === undefined ? {} : { labels: labels }),
    };
  });
}

let loaded: readonly RegistryEntry[] | undefined;

export function loadRegistry(): readonly RegistryEntry[] {
  loaded ??= validateRegistry(registryJson);
  return loaded;
}

export function findRegistryEntry(repoId: string): RegistryEntry | undefined {
  return loadRegistry().find((entry) => entry.id.toLowerCase() === repoId.toLowerCase());
}
