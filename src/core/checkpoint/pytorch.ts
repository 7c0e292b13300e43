// Reads pytorch_model.bin (torch.save's zip format). Not supported yet: filled in by the restricted unpickler.
import { LensError } from '../errors';
import type { LoadedTensor } from './safetensors';

export function readPytorchBin(_file: Uint8Array, source: string): Promise<Map<string, LoadedTensor>> {
  return Promise.reject(
    new LensError('BAD_CHECKPOINT', `${source}: PyTorch .bin checkpoints cannot be read yet.`, 'Use the checkpoint\'s model.safetensors instead.'),
  );
}
