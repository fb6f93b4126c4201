/** Which config a re-decided fold model records: its own training keys, today's inference keys. */
import { trainConfigSchema, type TrainConfig } from '../src/config';
import { reusedConfig } from '../src/cv-reuse';

describe('reusedConfig', () => {
  const current = trainConfigSchema.parse({
    refine: { regions: 'auto', max_passes: 3, stage_errors: 0.5 },
    inference: { tta: 'auto' },
    postprocess: { fill_holes: true },
  });

  it('keeps the training keys of the record and takes the re-decided ones from the current config', () => {
    const trained = trainConfigSchema.parse({ refine: { margin: 0.5, stage_errors: 0.3 }, training: { seed: 7 } });
    const reused = reusedConfig(trained, current);
    expect(reused.refine).toMatchObject({ margin: 0.5, stage_errors: 0.3, regions: 'auto', max_passes: 3 });
    expect(reused.training.seed).toBe(7);
    expect(reused.inference.tta).toBe('auto');
    expect(reused.postprocess.fill_holes).toBe(true);
  });

  it('records a training key the model predates as what its training did, not as today’s default', () => {
    // A metrics.json config written before refine.stage_errors existed.
    const { stage_errors: _added, ...olderRefine } = trainConfigSchema.parse({}).refine;
    const older = { ...trainConfigSchema.parse({}), refine: olderRefine } as unknown as TrainConfig;
    expect(reusedConfig(older, current).refine.stage_errors).toBe(0);
  });
});
