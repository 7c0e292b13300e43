// The CLI's human output helpers: aligned labelled columns, document positions, time-left estimates and the
// one-line form of argument-parser errors.
import assert from 'node:assert/strict';
import { buildProgram, parserError } from '../../../src/cli/main';
import { formatTable, POSITION_COLUMNS, positionCells } from '../../../src/cli/table';
import { chunkProgressLine, downloadTimeLeft, formatDuration } from '../../../src/cli/time-left';

describe('CLI output', () => {
  it('aligns columns under their titles, numbers to the right, the last column unpadded', () => {
    const lines = formatTable(
      [{ title: '#', align: 'right' }, ...POSITION_COLUMNS, { title: 'text' }],
      [
        ['1', '3:14', '120-131', '"a"'],
        ['12', '10:2', '1500-1505', '"longer text"'],
      ],
    );
    assert.deepEqual(lines, [' #  line:col     UTF-16  text', ' 1      3:14    120-131  "a"', '12      10:2  1500-1505  "longer text"']);
  });

  it('gives line:column (1-based, UTF-16 columns) and UTF-16 offsets of a range', () => {
    const text = 'first\nsé 👋 x\n';
    const wave = text.indexOf('👋');
    assert.deepEqual(positionCells(text, wave, wave + 2), ['2:4', '9-11']);
    assert.deepEqual(positionCells(text, text.indexOf('x'), text.indexOf('x') + 1), ['2:7', '12-13']);
  });

  it('estimates the time left from the chunks done', () => {
    assert.equal(chunkProgressLine(0, 10, 5000), 'chunk 1/10…');
    // 2 chunks in 4 s: 8 more take about 16 s.
    assert.equal(chunkProgressLine(2, 10, 4000), 'chunk 3/10, about 16 s left');
    assert.equal(chunkProgressLine(1, 100, 3100), 'chunk 2/100, about 5 min 07 s left');
  });

  it('estimates a download from its rate', () => {
    assert.equal(downloadTimeLeft(0, 1000, 0), '');
    assert.equal(downloadTimeLeft(500, 1000, 100), 'about 5 s left');
    assert.equal(downloadTimeLeft(1000, 1000, 100), '');
    assert.equal(formatDuration(0.2), '1 s');
    assert.equal(formatDuration(7260), '2 h 01 min');
  });

  it('turns a parser error into one prefixed line that names the help to read', () => {
    assert.equal(
      parserError("error: unknown option '--modle'\n", 'longformer-lens classify --help'),
      "longformer-lens: unknown option '--modle' (see longformer-lens classify --help)\n",
    );
  });

  it('documents --model the same way in every verb that takes it', () => {
    const verbs = buildProgram().commands.filter((command) => command.options.some((option) => option.long === '--model'));
    const names = verbs.map((command) => command.name());
    for (const verb of ['ask', 'attend', 'classify', 'embed', 'export', 'info', 'run', 'tokenize', 'train-head']) {
      assert.ok(names.includes(verb), `${verb} takes --model`);
    }
    for (const command of verbs) {
      const model = command.options.find((option) => option.long === '--model')!;
      assert.match(model.description, /folder or org\/name\[@revision\]/, command.name());
    }
  });
});
