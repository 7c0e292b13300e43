// config.hidden_act as graph ops. HuggingFace's "gelu" is the exact, erf-based GELU
// (transformers/activations.py GELUActivation); "gelu_new" is the tanh approximation (NewGELUActivation).
import type { LongformerConfig } from '../../checkpoint/config';
import type { GraphBuilder, Value } from '../builder';

export function activation(b: GraphBuilder, x: Value, kind: LongformerConfig['hiddenAct']): Value {
  switch (kind) {
    case 'gelu':
      return geluExact(b, x);
    case 'gelu_new': {
      // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
      const cubic = b.mul(b.pow(x, b.scalarFloat(3)), b.scalarFloat(0.044715));
      const inner = b.mul(b.add(x, cubic), b.scalarFloat(Math.sqrt(2 / Math.PI)));
      return b.mul(b.mul(x, b.scalarFloat(0.5)), b.add(b.tanh(inner), b.scalarFloat(1)));
    }
    case 'relu':
      return b.relu(x);
    case 'tanh':
      return b.tanh(x);
  }
}

/** 0.5 x (1 + erf(x / sqrt 2)); onnxruntime fuses this pattern into its Gelu kernel. */
export function geluExact(b: GraphBuilder, x: Value): Value {
  const erf = b.erf(b.div(x, b.scalarFloat(Math.SQRT2)));
  return b.mul(b.mul(x, b.add(erf, b.scalarFloat(1))), b.scalarFloat(0.5));
}
