export { hasTokenizerFiles, loadTokenizer } from './load';
export { type Encoding, RobertaTokenizer, type SequenceId, type SpecialTokens, type TokenSpans, type Tokenized } from './tokenizer';
export { tokenToBytes } from './byte-level';
