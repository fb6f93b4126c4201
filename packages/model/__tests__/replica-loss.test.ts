import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { resolveTrainingLoss } from '@wms/tfjs-runtime';
import { parseTrainConfig } from '../src';
import { segmentationLoss } from '../src/loss';
import { replicaLossModule } from '../src/step-runner';

describe('one training loss for this thread and the worker threads', () => {
  it('the workers load segmentationLoss with the trainer’s loss options', async () => {
    await tf.setBackend('cpu');
    const loss = parseTrainConfig({ training: { loss: { pos_weight: 7, dice_weight: 0.5 } } }).training.loss;
    const workers = resolveTrainingLoss({
      modulePath: replicaLossModule(),
      exportName: 'replicaSegmentationLoss',
      options: loss,
    });
    const truth = tf.tensor4d([1, 0, 0, 1, 0, 0, 0, 1], [2, 2, 2, 1]);
    const predicted = tf.tensor4d([0.9, 0.2, 0.4, 0.6, 0.1, 0.3, 0.2, 0.7], [2, 2, 2, 1]);
    const inWorker = workers(truth, predicted).dataSync()[0]!;
    const inThread = segmentationLoss(predicted, truth, loss).dataSync()[0]!;
    expect(inWorker).toBeCloseTo(inThread, 6);
    // The options reach the loss: another pos_weight gives another value.
    expect(segmentationLoss(predicted, truth, { ...loss, pos_weight: 1 }).dataSync()[0]!).not.toBeCloseTo(inWorker, 3);
    tf.dispose([truth, predicted]);
  });

  it('a folder without the loss module is an error naming the file, not a fallback to another loss', () => {
    const empty = mkdtempSync(join(tmpdir(), 'wms-no-loss-'));
    try {
      expect(() => replicaLossModule(empty)).toThrow(/replica-loss\.ts or replica-loss\.js\) is missing from/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
