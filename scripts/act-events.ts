/**
 * Regenerates the act event payloads in .github/act/ from real webhook examples
 * (@octokit/webhooks-examples), renamed to this repository and a data branch, so they keep every
 * field GitHub sends; a test validates them against @octokit/webhooks-schemas.
 *   pnpm tsx scripts/act-events.ts
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildActEvents } from '../packages/workflow-check/src/act-events';

const root = resolve(__dirname, '..');
for (const [name, payload] of Object.entries(buildActEvents())) {
  writeFileSync(join(root, '.github/act', name), `${JSON.stringify(payload, null, 2)}\n`);
  console.log(`.github/act/${name}`);
}
