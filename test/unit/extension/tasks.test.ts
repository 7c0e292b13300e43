import assert from 'node:assert/strict';
import { headProblem, modelForTask } from '../../../src/extension/tasks';

describe('tasks and their models', () => {
  const none = { classificationModel: '', questionAnsweringModel: '', baseModel: '', modelPath: '' };

  it('gives each task its own model, the legacy modelPath when its setting is empty', () => {
    const settings = { ...none, classificationModel: '/cls', questionAnsweringModel: 'org/qa', modelPath: '/legacy' };
    assert.equal(modelForTask('classification', settings), '/cls');
    assert.equal(modelForTask('question-answering', settings), 'org/qa');
    assert.equal(modelForTask('classification', { ...none, modelPath: '/legacy' }), '/legacy');
    assert.equal(modelForTask('question-answering', none), '');
  });

  it('runs attention on the base model, else on any model that is set', () => {
    assert.equal(modelForTask('attention', { ...none, baseModel: '/base', classificationModel: '/cls' }), '/base');
    assert.equal(modelForTask('attention', { ...none, questionAnsweringModel: '/qa' }), '/qa');
    assert.equal(modelForTask('attention', none), '');
  });

  it('says why a head does not fit a task', () => {
    const qa = { architecture: 'LongformerForQuestionAnswering', head: 'question-answering' } as const;
    const cls = { architecture: 'LongformerForSequenceClassification', head: 'sequence-classification' } as const;
    assert.equal(headProblem('question-answering', qa), undefined);
    assert.equal(
      headProblem('question-answering', cls),
      'LongformerForSequenceClassification has a sequence-classification head; question answering needs a question-answering head.',
    );
    assert.equal(headProblem('attention', qa), undefined, 'every head has the encoder attention comes from');
    assert.equal(headProblem('classification', qa), undefined, 'without a classification head: zero-shot or a trained head');
    // config.json without architectures: the task reads it with its own head, as its Auto class would.
    const unnamed = { architecture: 'LongformerModel', head: 'base', architectureNamed: false } as const;
    assert.equal(headProblem('question-answering', unnamed), undefined);
    assert.match(headProblem('question-answering', { ...unnamed, architectureNamed: true }) ?? '', /LongformerModel has a base head/);
  });
});
