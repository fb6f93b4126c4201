/**
 * Rule call-permissions: a called workflow's jobs get at most the permissions of the job that
 * calls it. When one of them asks for more, GitHub refuses to start the whole run ("The nested job
 * 'merge' is requesting 'contents: write', but is only allowed 'contents: read'") — a failure no
 * linter here catches, and the first thing a consumer with a tight `permissions:` would hit.
 */
import type { JobModel, Permissions, WorkflowModel } from './model';
import { readWorkflow, type RepoTree } from './repo-tree';
import type { Finding } from './rules';

const SCOPES = [
  'actions',
  'attestations',
  'checks',
  'contents',
  'deployments',
  'discussions',
  'id-token',
  'issues',
  'models',
  'packages',
  'pages',
  'pull-requests',
  'repository-projects',
  'security-events',
  'statuses',
];
const LEVEL: Record<string, number> = { none: 0, read: 1, write: 2 };

function level(p: Permissions, scope: string): number {
  if (p === 'write-all') return 2;
  if (p === 'read-all') return scope === 'id-token' ? 0 : 1;
  return LEVEL[p[scope] ?? 'none'] ?? 0;
}

/** Scopes (with the level asked) where `requested` goes beyond `allowed`. */
export function exceedingScopes(requested: Permissions, allowed: Permissions): string[] {
  const scopes = typeof requested === 'string' ? SCOPES : Object.keys(requested);
  const names = ['none', 'read', 'write'];
  return scopes
    .filter((s) => level(requested, s) > level(allowed, s))
    .map((s) => `${s}: ${names[level(requested, s)]}`);
}

export function describePermissions(p: Permissions): string {
  if (typeof p === 'string') return p;
  const set = Object.entries(p).filter(([, v]) => v !== 'none');
  return set.length === 0 ? 'none' : set.map(([k, v]) => `${k}: ${v}`).join(', ');
}

/** The permissions a job runs with: its own, else its workflow's; undefined = the repository default. */
export function effectivePermissions(job: JobModel, workflow: WorkflowModel): Permissions | undefined {
  return job.permissions ?? workflow.permissions;
}

/**
 * Checks every job of `called` (and of the workflows it calls in this tree) against `allowed`,
 * reporting on the caller's `uses:` line.
 */
export function checkCallPermissions(
  at: { file: string; line: number; job: string },
  allowed: Permissions,
  called: WorkflowModel,
  tree: RepoTree,
  depth = 0,
): Finding[] {
  if (depth > 4) return [];
  const findings: Finding[] = [];
  for (const job of called.jobs) {
    const requested = effectivePermissions(job, called) ?? allowed;
    const over = exceedingScopes(requested, allowed);
    if (over.length > 0) {
      findings.push({
        file: at.file,
        line: at.line,
        rule: 'call-permissions',
        message: `job '${at.job}' calls ${called.file.path}, whose job '${job.id}' asks for ${over.join(', ')}, but '${at.job}' allows only ${describePermissions(allowed)}: GitHub refuses to start the run`,
      });
    }
    const uses = job.uses;
    if (uses && (uses.kind === 'local' || uses.kind === 'self')) {
      const nested = readWorkflow(tree, uses.path);
      if (nested?.call) findings.push(...checkCallPermissions(at, requested, nested, tree, depth + 1));
    }
  }
  return findings;
}
