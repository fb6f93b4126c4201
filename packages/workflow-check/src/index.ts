export { actionlint, OUTDATED_ACTIONLINT_MESSAGES } from './actionlint';
export { ACT_WORKFLOWS_DIR, toActWorkflow } from './act-workflows';
export { checkDocExample, yamlBlocks, type DocExample } from './doc-examples';
export {
  markedBlocks,
  refreshMarkedBlocks,
  renderActionInputs,
  renderActionOutputs,
  renderBlock,
  renderWorkflowInterface,
} from './docs';
export { CONSUMER_FIXTURE, CONSUMER_REF, PRODUCT } from './product';
export { checkRepository, type RepositoryReport } from './check-repository';
export { productFileProvider, resolveConsumer, type ConsumerResolution, type Product } from './consumer';
export { githubParseAction, githubParseWorkflow } from './github-parser';
export { loadAction, loadWorkflow, parseUses, type ActionManifest, type UsesRef, type WorkflowModel } from './model';
export {
  gitTree,
  listActions,
  listWorkflows,
  memoryTree,
  readAction,
  readWorkflow,
  workingTree,
  type RepoTree,
} from './repo-tree';
export {
  checkCompositeAction,
  checkWorkflow,
  formatFinding,
  runWritesOutput,
  type Finding,
  type RuleId,
} from './rules';
