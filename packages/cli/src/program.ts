import { Command } from 'commander';
import { createCliContext, type CliContext } from './cli-options';
import { registerDataCommands } from './commands/data-commands';
import { registerDataSyncCommands } from './commands/data-sync-commands';
import { registerEvaluateCommands } from './commands/evaluate-commands';
import { registerGitHubCommands } from './commands/github-commands';
import { registerInfraCommands } from './commands/infra-commands';
import { registerModelCommands } from './commands/model-commands';
import { registerPipelineCommands } from './commands/pipeline-commands';
import { registerRegistryCommands } from './commands/registry-commands';

export function buildProgram(ctx: CliContext = createCliContext()): Command {
  const program = new Command('wms')
    .description('WMS Pipeline: data-qa, training, quality gate and promotion for segmentation models.')
    .showHelpAfterError()
    .exitOverride((error) => {
      // commander's own usage errors (unknown flag, missing argument) exit with its code.
      process.exit(error.exitCode);
    });
  registerDataCommands(program, ctx);
  registerModelCommands(program, ctx);
  registerEvaluateCommands(program, ctx);
  registerDataSyncCommands(program, ctx);
  registerRegistryCommands(program, ctx);
  registerPipelineCommands(program, ctx);
  registerInfraCommands(program, ctx);
  registerGitHubCommands(program, ctx);
  return program;
}
