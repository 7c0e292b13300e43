// README.md of an export: which inputs to feed, how to build the global attention mask, and how to run the model
// from Python, C# and Java with onnxruntime, and on Triton. Generated from the manifest, so it names the real
// outputs and the head's default global tokens.
import type { ExportManifest } from './manifest';

export function exportReadme(m: ExportManifest): string {
  const outputs = m.outputs.map((o) => `- \`${o.name}\`: ${o.dtype} (${o.shape.join(', ')})`).join('\n');
  const first = m.outputs.find((o) => o.name !== 'last_hidden_state')?.name ?? m.outputs[0]?.name ?? 'last_hidden_state';
  const qa = m.head === 'question-answering';
  const globalLine = qa
    ? 'global[:, : first_sep + 1] = 1          # <s> and the question tokens, up to the first </s>'
    : 'global[:, 0] = 1                         # <s>';
  return `# ${m.name}: Longformer (${m.architecture}) as ONNX

Exported by longformer-lens ${m.project_version} from a checkpoint whose files hash to \`${m.source.sha256}\`
(see manifest.json). \`model.onnx\` keeps its weights in \`model.onnx.data\`: keep the two files side by side.
The graph uses standard ONNX operators only (opset ${m.opset}), runs on any onnxruntime execution provider, and
computes Longformer's sliding-window plus global attention exactly, for any batch size and sequence length up to
${m.max_length} tokens. Precision: ${m.precision}. ${m.precision_note}

## Inputs (all int64, shape (batch, sequence))

- \`input_ids\`: token ids from the tokenizer files in this folder (RoBERTa byte-level BPE): \`<s>\` (0) first and
  \`</s>\` (2) last${qa ? '; for question answering `<s> question </s></s> context </s>`' : ''}. Pad shorter rows
  with \`pad_token_id\` ${m.pad_token_id}. Longer documents: cut them into overlapping windows of at most ${m.max_length} tokens.
- \`attention_mask\`: 1 for real tokens, 0 for padding.
- \`global_attention_mask\`: 1 where a token attends to every token and every token attends to it, 0 elsewhere.
  Default for this head: ${m.default_global_attention}. You may mark more (the words a question is about, section
  titles); every global token costs time and memory like a short extra row. All zeros is valid.

The graph pads to a multiple of the attention window (${[...new Set(m.attention_window)].join(', ')}) inside, so any
length works; do not pad for it yourself.

## Outputs

${outputs}

## Python (onnxruntime)

\`\`\`python
import numpy as np
import onnxruntime as ort
from transformers import AutoTokenizer  # or tokenizers.ByteLevelBPETokenizer("vocab.json", "merges.txt")

tokenizer = AutoTokenizer.from_pretrained(".")
session = ort.InferenceSession("model.onnx", providers=["CPUExecutionProvider"])
encoded = tokenizer(${qa ? '["Who pays?"], ["The tenant pays the rent."]' : '["A long document ..."]'}, return_tensors="np",
                    truncation=${qa ? '"only_second"' : 'True'}, max_length=${m.max_length})
input_ids = encoded["input_ids"].astype(np.int64)
attention_mask = encoded["attention_mask"].astype(np.int64)
global_attention_mask = np.zeros_like(input_ids)
${qa ? 'first_sep = int(np.argmax(input_ids[0] == tokenizer.sep_token_id))\n' : ''}${globalLine.replace('global', 'global_attention_mask')}
(${first},) = session.run(["${first}"], {
    "input_ids": input_ids,
    "attention_mask": attention_mask,
    "global_attention_mask": global_attention_mask,
})
\`\`\`

## C# (Microsoft.ML.OnnxRuntime)

\`\`\`csharp
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

long[] ids = /* token ids from the tokenizer, <s> ... </s> */;
var shape = new[] { 1, ids.Length };
var mask = Enumerable.Repeat(1L, ids.Length).ToArray();
var global = new long[ids.Length];
global[0] = 1; // <s>${qa ? '; also every question token before the first </s>' : ''}
using var session = new InferenceSession("model.onnx");
using var results = session.Run(new[] {
    NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(ids, shape)),
    NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(mask, shape)),
    NamedOnnxValue.CreateFromTensor("global_attention_mask", new DenseTensor<long>(global, shape)),
});
var output = results.First(r => r.Name == "${first}").AsTensor<float>();
\`\`\`

## Java (com.microsoft.onnxruntime:onnxruntime)

\`\`\`java
import ai.onnxruntime.*;
import java.util.Map;

long[][] ids = { /* token ids from the tokenizer, <s> ... </s> */ };
long[][] mask = new long[1][ids[0].length];
java.util.Arrays.fill(mask[0], 1L);
long[][] global = new long[1][ids[0].length];
global[0][0] = 1L; // <s>${qa ? '; also every question token before the first </s>' : ''}
OrtEnvironment env = OrtEnvironment.getEnvironment();
try (OrtSession session = env.createSession("model.onnx", new OrtSession.SessionOptions());
     OnnxTensor a = OnnxTensor.createTensor(env, ids);
     OnnxTensor b = OnnxTensor.createTensor(env, mask);
     OnnxTensor c = OnnxTensor.createTensor(env, global);
     OrtSession.Result result = session.run(Map.of("input_ids", a, "attention_mask", b, "global_attention_mask", c))) {
  Object output = result.get("${first}").get().getValue(); // float[][]... in the shape listed above
}
\`\`\`

## Triton Inference Server

\`triton/${m.name}/\` is a model repository entry for the onnxruntime backend (\`config.pbtxt\` and \`1/model.onnx\`
with its data file). Batch and sequence dimensions are dynamic; \`max_batch_size: 0\`, so send whole padded
batches with the three inputs above:

\`\`\`bash
tritonserver --model-repository ./triton
\`\`\`
`;
}
