// Opens an onnxruntime session on the model file given as the first argument with the engine's session options,
// as a separate process, so that a test can read what onnxruntime itself writes to stderr.
import { InferenceSession } from 'onnxruntime-node';
import { sessionOptions } from '../../../../src/core/runtime/providers';

void InferenceSession.create(process.argv[2]!, sessionOptions('cpu', { threads: 1 })).then(() => process.stdout.write('opened\n'));
