// `longformer-lens synthesize --out <dir> [--head H] [--size tiny|base] [--tokenizer <dir>] [--labels a,b,c]`:
// writes a random-weight checkpoint in HuggingFace's format. Its answers mean nothing, but every code path a real
// checkpoint takes (loading, graph building, chunking, inference) runs on it: a way to try the tool, test a setup or
// measure speed and memory without downloading a model.
import { copyFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { ARCHITECTURE_HEADS, type HeadKind } from '../../core/checkpoint/config';
import { FULL_SIZE_OPTIONS, syntheticConfig, type SyntheticConfigOptions, writeSyntheticCheckpoint } from '../../core/checkpoint/synthetic';
import { LensError } from '../../core/errors';
import { hasTokenizerFiles } from '../../core/tokenizer';

const HEADS: readonly HeadKind[] = [...new Set(ARCHITECTURE_HEADS.values())];
const TOKENIZER_FILES = ['tokenizer.json', 'vocab.json', 'merges.txt', 'special_tokens_map.json', 'tokenizer_config.json'];

/** Small enough to build and run in seconds, with a 512-token limit so that long documents are chunked. */
const TINY: SyntheticConfigOptions = {
  numHiddenLayers: 2,
  hiddenSize: 64,
  numAttentionHeads: 4,
  intermediateSize: 128,
  attentionWindow: 32,
  vocabSize: 50265,
  maxPositionEmbeddings: 514,
};

interface SynthesizeFlags {
  out: string;
  head: string;
  size: string;
  tokenizer?: string;
  labels?: string;
  seed: string;
}

export function registerSynthesize(program: Command): void {
  program
    .command('synthesize')
    .description('Write a random-weight Longformer checkpoint (for trying the tool and benchmarks; its outputs mean nothing).')
    .requiredOption('--out <dir>', 'folder to write config.json and model.safetensors into')
    .option('--head <head>', `task head: ${HEADS.join(', ')}`, 'sequence-classification')
    .option('--size <size>', 'tiny (2 layers, 512 tokens) or base (longformer-base-4096 shapes)', 'tiny')
    .option('--tokenizer <dir>', 'copy the tokenizer files from this folder')
    .option('--labels <names>', 'comma-separated label names for classification heads')
    .option('--seed <n>', 'random seed', '1')
    .action(async (flags: SynthesizeFlags) => {
      const head = flags.head as HeadKind;
      if (!HEADS.includes(head)) throw new LensError('BAD_ARGUMENT', `--head ${flags.head}: expected one of ${HEADS.join(', ')}.`);
      if (flags.size !== 'tiny' && flags.size !== 'base')
        throw new LensError('BAD_ARGUMENT', `--size ${flags.size}: expected tiny or base.`);
      const seed = Number(flags.seed);
      if (!Number.isInteger(seed) || seed < 0)
        throw new LensError('BAD_ARGUMENT', `--seed ${flags.seed}: expected a non-negative integer.`);
      if (flags.tokenizer !== undefined && !hasTokenizerFiles(flags.tokenizer)) {
        throw new LensError('NOT_FOUND', `--tokenizer ${flags.tokenizer}: no tokenizer.json or vocab.json + merges.txt there.`);
      }
      const labels = flags.labels
        ?.split(',')
        .map((label) => label.trim())
        .filter((label) => label !== '');
      const config = syntheticConfig({
        ...(flags.size === 'base' ? FULL_SIZE_OPTIONS : TINY),
        head,
        ...(labels === undefined ? {} : { labels }),
      });
      const out = resolve(flags.out);
      await writeSyntheticCheckpoint(out, config, seed);
      if (flags.tokenizer !== undefined) {
        for (const file of TOKENIZER_FILES) {
          const source = join(flags.tokenizer, file);
          if (existsSync(source)) copyFileSync(source, join(out, file));
        }
      }
      process.stdout.write(`${out}\n`);
    });
}
