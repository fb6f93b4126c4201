/**
 * What train.yml promises beyond "it parses": the PR head is what is validated and trained, one
 * run per model, stop-infra even on failure and cancel, write scopes only where they are used, and
 * nothing pushed to git after the gate (the registry is the record of the champion).
 */
import { join } from 'node:path';
import { readWorkflow, workingTree } from '@wms/workflow-check';
import { getNode, scalarText } from '../src/yaml-source';

const ROOT = join(__dirname, '..', '..', '..');
const train = readWorkflow(workingTree(ROOT), '.github/workflows/train.yml')!;
const job = (id: string) => train.jobs.find((j) => j.id === id);
const jobNode = (id: string) => getNode(getNode(train.file.root, 'jobs'), id);

describe('train.yml', () => {
  it('is callable with described inputs, secrets and outputs', () => {
    expect(train.triggers).toEqual(expect.arrayContaining(['workflow_call', 'pull_request', 'workflow_dispatch']));
    const call = getNode(getNode(train.file.root, 'on'), 'workflow_call');
    for (const section of ['inputs', 'secrets', 'outputs']) {
      const entries = getNode(call, section) as { items: { key: { value: string }; value: unknown }[] };
      expect(entries.items.length).toBeGreaterThan(0);
      for (const item of entries.items)
        expect({ name: item.key.value, description: scalarText(getNode(item.value as never, 'description')) }).toEqual({
          name: item.key.value,
          description: expect.stringMatching(/\S{3}/),
        });
    }
    expect(Object.keys(train.call?.inputs ?? {})).toEqual(
      expect.arrayContaining(['data-dir', 'model-name', 'tracking-uri', 'config']),
    );
  });

  it('validates and trains the PR head commit, not the merge commit', () => {
    const checkouts = train.jobs.flatMap((j) =>
      j.steps
        .filter((s) => s.uses?.raw.startsWith('actions/checkout@'))
        .map((s) => ({ job: j.id, ref: s.with.ref?.value })),
    );
    expect(checkouts.length).toBeGreaterThanOrEqual(2);
    for (const c of checkouts) expect(c).toEqual({ job: c.job, ref: '${{ needs.admit.outputs.head-sha }}' });
  });

  it("validates and trains the same dataset: the caller's data artifact, when given, in both jobs", () => {
    for (const [jobId, stepId] of [
      ['data-qa', 'qa'],
      ['train', 'train'],
    ] as const) {
      const steps = job(jobId)!.steps;
      const download = steps.findIndex((s) => s.uses?.raw.startsWith('actions/download-artifact@'));
      const stage = steps.findIndex((s) => s.id === stepId);
      expect({ jobId, before: download >= 0 && download < stage }).toEqual({ jobId, before: true });
      expect(steps[download]?.with.name?.value).toBe('${{ inputs.data-artifact }}');
      expect(steps[download]?.with.path?.value).toBe("${{ inputs.data-dir || 'WMS/data/training' }}");
      // Without the artifact: the data-pull action materialises what the pointer files name.
      const pull = steps.findIndex((s) => s.uses?.raw === '$/actions/data-pull');
      expect({ jobId, before: pull >= 0 && pull < stage }).toEqual({ jobId, before: true });
      expect(steps[pull]?.scalars.find((s) => s.key === 'if')?.text).toBe("inputs.data-artifact == ''");
      expect(steps[pull]?.with['data-dir']?.value).toBe("${{ inputs.data-dir || 'WMS/data/training' }}");
    }
  });

  it('serialises runs per model and never cancels one', () => {
    const concurrency = getNode(train.file.root, 'concurrency');
    expect(scalarText(getNode(concurrency, 'group'))).toContain('inputs.model-name');
    expect(scalarText(getNode(concurrency, 'cancel-in-progress'))).toBe('false');
  });

  it('reaches its own actions by $/ only', () => {
    const own = train.jobs
      .flatMap((j) => [j.uses, ...j.steps.map((s) => s.uses)])
      .filter((u) => u && u.kind !== 'remote');
    expect(own.length).toBeGreaterThanOrEqual(4);
    for (const uses of own) expect(uses?.kind).toBe('self');
  });

  it('promotes only when the gate says improved, then pushes nothing to git', () => {
    const steps = job('train')!.steps;
    const promote = steps.find((s) => s.id === 'promote')!;
    const ifText = promote.scalars.find((s) => s.key === 'if')?.text;
    expect(ifText).toBe("steps.gate.outputs.improved == 'true'");
    expect(train.file.text).not.toMatch(/git\s+push/);
    const upload = steps.slice(promote.index + 1).find((s) => s.uses?.raw.startsWith('actions/upload-artifact@'));
    expect(upload?.with.path?.value).toContain(promote.with['metadata-dir']?.value ?? 'missing');
  });

  it('gives write scopes only to the jobs that report and merge', () => {
    for (const j of train.jobs) {
      const perms = getNode(jobNode(j.id), 'permissions');
      const writes = ((perms as { items?: { key: { value: string }; value: { value: string } }[] })?.items ?? [])
        .filter((p) => String(p.value?.value) === 'write')
        .map((p) => p.key.value);
      if (['merge', 'report'].includes(j.id)) continue;
      expect({ job: j.id, writes: writes.filter((w) => w !== 'id-token') }).toEqual({ job: j.id, writes: [] });
    }
  });

  it('starts no training, comment or merge after a cancel (only stop-infra runs then)', () => {
    for (const id of ['train', 'report', 'merge']) {
      const ifText = scalarText(getNode(jobNode(id), 'if')) ?? '';
      expect({ id, ifText }).toEqual({ id, ifText: expect.stringMatching(/^\$\{\{ !cancelled\(\) && /) });
    }
  });

  it("trains a data/* push once: the data PR's own pull_request event admits nothing", () => {
    // training-data-pipeline.yml calls train.yml for every push to data/* (event `push` there), so
    // the pull_request event of the PR it opened must not train the same commit again.
    expect(scalarText(getNode(jobNode('admit'), 'if'))).toBe(
      "github.event_name != 'pull_request' || !startsWith(github.head_ref, 'data/')",
    );
    // Every other job waits on admit (directly or through another job), so a skipped admit skips the run.
    const needsAdmit = (id: string, seen = new Set<string>()): boolean => {
      const needs = job(id)?.needs ?? [];
      return needs.includes('admit') || needs.some((n) => !seen.has(n) && needsAdmit(n, seen.add(n)));
    };
    for (const j of train.jobs.filter((j) => j.id !== 'admit'))
      expect({ id: j.id, needsAdmit: needsAdmit(j.id) }).toEqual({ id: j.id, needsAdmit: true });
  });

  it('stops the infrastructure whatever happened, cancel included', () => {
    const stop = job('stop-infra')!;
    expect(stop.uses?.raw).toBe('$/.github/workflows/ec2-control.yml');
    expect(stop.with.action?.value).toBe('stop');
    expect(stop.with.started?.value).toBe('${{ needs.start-infra.outputs.started }}');
    const ifText = scalarText(getNode(jobNode('stop-infra'), 'if')) ?? '';
    expect(ifText).toMatch(/^always\(\)/);
    expect(stop.needs).toEqual(expect.arrayContaining(['start-infra', 'train']));
    // Training waits for the host, and reads its URL.
    expect(job('train')!.needs).toContain('start-infra');
    expect(train.file.text).toContain('MLFLOW_TRACKING_URI: ${{ needs.start-infra.outputs.mlflow-url ||');
  });
});

describe('training-data-pipeline.yml, the caller of train.yml', () => {
  const pipeline = readWorkflow(workingTree(ROOT), '.github/workflows/training-data-pipeline.yml')!;

  it('hands train.yml the data it pulled and checked, by the artifact name it uploaded', () => {
    const call = pipeline.jobs.find((j) => j.uses?.raw === './.github/workflows/train.yml')!;
    const upload = pipeline.jobs
      .flatMap((j) => j.steps)
      .find(
        (s) => s.uses?.raw.startsWith('actions/upload-artifact@') && s.with.name?.value.startsWith('training-data'),
      );
    expect(upload).toBeDefined();
    expect(call.with['data-artifact']?.value).toBe(upload?.with.name?.value);
    expect(call.with['head-sha']?.value).toBe('${{ github.sha }}');
  });

  it('cannot cancel a running promotion: no workflow-level cancel-in-progress', () => {
    const concurrency = getNode(pipeline.file.root, 'concurrency');
    expect(scalarText(getNode(concurrency, 'cancel-in-progress'))).not.toBe('true');
  });
});
