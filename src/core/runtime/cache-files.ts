// The file names of a graph cache entry (model-cache.ts), in a module of their own so that the session code can
// name them without importing the cache, which builds graphs and calibrates int8 with those sessions.

export const MODEL_FILE = 'model.onnx';
export const ATTENTIONS_MODEL_FILE = 'model-attentions.onnx';
export const TOKEN_SCORES_MODEL_FILE = 'model-token-scores.onnx';
export const WEIGHTS_FILE = 'weights.bin';
