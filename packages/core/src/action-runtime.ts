/**
 * The only module in WMS Pipeline that imports @actions/core. Everything else takes a Logger,
 * a SummarySink or a ProgressFactory, so the same code serves the actions, the CLI and tests.
 */
import * as core from '@actions/core';
import { describeFailure, isUserError, toError } from './errors';
import { parseInputs, type ActionSpec, type InputSpec, type InputValues } from './inputs';
import type { Logger } from './logger';
import { createLogProgress, type ProgressFactory } from './progress';
import { githubSummarySink } from './summary';

export interface ActionContext {
  logger: Logger;
  progress: ProgressFactory;
  /** $GITHUB_WORKSPACE, or the current directory outside a runner. */
  workspace: string;
  env: NodeJS.ProcessEnv;
  /** The runner's step state (core.saveState/getState), for actions with a post step; see runActionWithPost. */
  state?: ActionState;
  /** Sets an output at once, before the stage ends, so a cancelled step still leaves it behind. */
  setOutput?: (name: string, value: OutputValue) => void;
}

/** State saved by an action's main step and read back by its post step (GITHUB_STATE → STATE_* variables). */
export interface ActionState {
  save(name: string, value: string): void;
  get(name: string): string;
}

/** What a post step reports: it sets no outputs (nothing after it can read them). */
export interface PostResult {
  summary?: string;
  failure?: string;
}

export type OutputValue = string | number | boolean;

export interface ActionResult<O extends string> {
  outputs: Record<O, OutputValue>;
  /** Markdown for the job summary: one block per stage. */
  summary?: string;
  /** Set when the stage ran correctly but its verdict fails the job (e.g. data invalid). */
  failure?: string;
}

export function createActionLogger(): Logger {
  const props = (l?: { file?: string; line?: number; title?: string }): core.AnnotationProperties | undefined =>
    l ? { file: l.file, startLine: l.line, title: l.title } : undefined;
  return {
    debug: (m) => core.debug(m),
    info: (m) => core.info(m),
    warning: (m, l) => core.warning(m, props(l)),
    error: (m, l) => core.error(m, props(l)),
    group: (name, fn) => core.group(name, fn),
  };
}

function formatOutput(value: OutputValue): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return '';
  return String(value);
}

function maskSecretInputs(spec: ActionSpec): void {
  for (const [name, input] of Object.entries(spec.inputs)) {
    if (input.kind === 'string' && input.secret) {
      const raw = core.getInput(name);
      if (raw) core.setSecret(raw);
    }
  }
}

function createActionContext(): ActionContext {
  return {
    logger: createActionLogger(),
    progress: () => createLogProgress((line) => core.info(line)),
    workspace: process.env.GITHUB_WORKSPACE || process.cwd(),
    env: process.env,
    state: { save: (name, value) => core.saveState(name, value), get: (name) => core.getState(name) },
    setOutput: (name, value) => core.setOutput(name, formatOutput(value)),
  };
}

/**
 * One step's life: mask secrets, parse typed inputs, run the handler, hand its result on, write
 * its summary, fail the step on a verdict or an error. Separates the user's mistakes from bugs,
 * and exits explicitly so an open socket cannot hang the step.
 */
async function runStep<I extends Record<string, InputSpec>, R extends PostResult>(
  spec: ActionSpec<I, string>,
  fn: (inputs: InputValues<I>, ctx: ActionContext) => Promise<R>,
  deliver: (result: R) => void,
  options: { exit?: (code: number) => void },
): Promise<void> {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let code = 0;
  try {
    maskSecretInputs(spec);
    const inputs = parseInputs(spec, (name) => core.getInput(name));
    const result = await fn(inputs, createActionContext());
    deliver(result);
    if (result.summary) githubSummarySink().write(result.summary);
    if (result.failure) {
      core.setFailed(result.failure);
      code = 1;
    }
  } catch (thrown) {
    const error = toError(thrown);
    core.setFailed(describeFailure(thrown));
    if (!isUserError(thrown) && error.stack) core.debug(error.stack);
    code = 1;
  }
  exit(code);
}

/** Runs one action: typed inputs in, every declared output and one summary block out. */
export async function runAction<I extends Record<string, InputSpec>, O extends string>(
  spec: ActionSpec<I, O>,
  fn: (inputs: InputValues<I>, ctx: ActionContext) => Promise<ActionResult<O>>,
  options: { exit?: (code: number) => void } = {},
): Promise<void> {
  return runStep(
    spec,
    fn,
    (result) => {
      const missing = Object.keys(spec.outputs).filter((k) => !(k in result.outputs));
      if (missing.length > 0) {
        throw new Error(`action ${spec.name} did not set declared outputs: ${missing.join(', ')}`);
      }
      for (const [name, value] of Object.entries(result.outputs) as Array<[string, OutputValue]>) {
        core.setOutput(name, formatOutput(value));
      }
    },
    options,
  );
}

const POST_MARKER = 'wms-post-step';

/**
 * An action with a `post:` step pointing at the same bundle (`runs.post: dist/index.js`): the
 * main step marks the state, so the runner's second invocation runs `post` instead of `main`.
 * The post step gets the same inputs and the state the main step saved.
 */
export async function runActionWithPost<I extends Record<string, InputSpec>, O extends string>(
  spec: ActionSpec<I, O>,
  main: (inputs: InputValues<I>, ctx: ActionContext) => Promise<ActionResult<O>>,
  post: (inputs: InputValues<I>, ctx: ActionContext) => Promise<PostResult>,
  options: { exit?: (code: number) => void } = {},
): Promise<void> {
  if (core.getState(POST_MARKER) !== 'true') {
    core.saveState(POST_MARKER, 'true');
    return runAction(spec, main, options);
  }
  return runStep(spec, post, () => undefined, options);
}
