/**
 * Event payloads for act, made from real GitHub webhook examples (@octokit/webhooks-examples):
 * a push to a data branch, the data PR whose head is that push, and the same PR from a fork.
 */
import { createRequire } from 'node:module';

type Json = Record<string, unknown>;
interface Example {
  name: string;
  examples: Json[];
}

export const ACT_EVENT = {
  repository: 'your-org/wms-pipeline',
  branch: 'data/site-b-2026-12',
  headSha: '4f2d1e0c9b8a7f6e5d4c3b2a1908f7e6d5c4b3a2',
  baseSha: '0a1b2c3d4e5f60718293a4b5c6d7e8f901234567',
  prNumber: 7,
  fork: 'someone/wms-pipeline',
  forkSha: '9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d',
};

function examples(): Example[] {
  const req = createRequire(__filename);
  return req('@octokit/webhooks-examples') as Example[];
}

function pick(event: string, match: (e: Json) => boolean): Json {
  const found = examples()
    .find((e) => e.name === event)
    ?.examples.find(match);
  if (!found) throw new Error(`@octokit/webhooks-examples has no ${event} example matching`);
  // Rename the example repository (Codertocat/Hello-World) to ours everywhere, URLs included.
  const text = JSON.stringify(found)
    .replace(/Codertocat\/Hello-World/g, ACT_EVENT.repository)
    .replace(/"Hello-World"/g, '"wms-pipeline"')
    .replace(/Codertocat/g, 'your-org');
  return JSON.parse(text) as Json;
}

function asFork(repo: Json): Json {
  const [owner, name] = ACT_EVENT.fork.split('/') as [string, string];
  const text = JSON.stringify(repo).replace(new RegExp(ACT_EVENT.repository, 'g'), ACT_EVENT.fork);
  const fork = JSON.parse(text) as Json;
  return { ...fork, name, full_name: ACT_EVENT.fork, fork: true, owner: { ...(fork.owner as Json), login: owner } };
}

export function buildActEvents(): Record<'push-data.json' | 'pull-request.json' | 'pull-request-fork.json', Json> {
  const e = ACT_EVENT;
  const push = pick('push', (p) => p.ref === 'refs/heads/master' && Array.isArray(p.commits) && p.commits.length === 1);
  const commit = {
    ...((push.commits as Json[])[0] as Json),
    id: e.headSha,
    tree_id: e.headSha,
    message: 'data: 12 new pairs from site B',
    added: ['WMS/data/training.dvc'],
    removed: [],
    modified: [],
  };
  const pushEvent = {
    ...push,
    ref: `refs/heads/${e.branch}`,
    before: e.baseSha,
    after: e.headSha,
    base_ref: null,
    commits: [commit],
    head_commit: commit,
  };

  const pr = (action: string, fork: boolean): Json => {
    // The newest example of the action: older ones lack fields GitHub sends today (auto_merge…).
    const base = pick('pull_request', (p) => p.action === action && 'auto_merge' in (p.pull_request as Json));
    const repository = base.repository as Json;
    const pullRequest = base.pull_request as Json;
    const head = pullRequest.head as Json;
    const headRepo = fork ? asFork(repository) : repository;
    return {
      ...base,
      number: e.prNumber + (fork ? 1 : 0),
      ...(action === 'synchronize' ? { before: e.baseSha, after: e.headSha } : {}),
      pull_request: {
        ...pullRequest,
        number: e.prNumber + (fork ? 1 : 0),
        title: fork ? 'data: pairs from a fork' : 'data: 12 new pairs from site B',
        head: {
          ...head,
          ref: fork ? 'data/outside' : e.branch,
          sha: fork ? e.forkSha : e.headSha,
          label: `${(headRepo.owner as Json).login as string}:${e.branch}`,
          repo: headRepo,
        },
        base: { ...(pullRequest.base as Json), ref: 'main', sha: e.baseSha, repo: repository },
      },
    };
  };
  return {
    'push-data.json': pushEvent,
    'pull-request.json': pr('synchronize', false),
    'pull-request-fork.json': pr('opened', true),
  };
}
