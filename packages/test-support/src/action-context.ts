import { createMemoryLogger, noProgress } from '@wms/core';
import type { ActionContext } from '@wms/core/action';

export type TestActionContext = ActionContext & { logger: ReturnType<typeof createMemoryLogger> };

/** The context runAction gives a handler, with a memory logger and no progress output, for main() tests. */
export function testActionContext(workspace: string, env: NodeJS.ProcessEnv = {}): TestActionContext {
  return { logger: createMemoryLogger(), progress: () => noProgress, workspace, env };
}
