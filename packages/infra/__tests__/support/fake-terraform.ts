/**
 * A fake `terraform` executable for the terraform mode: a shell script put first on PATH that
 * appends each invocation (cwd + arguments, JSON) to a log and answers `output -json` with the
 * JSON shape terraform prints ({"name": {"sensitive", "type", "value"}}). FAKE_TF_FAIL=<command>
 * makes that command exit 1 with a terraform-like error on stderr; FAKE_TF_SLEEP=<s> makes every
 * command hang that long (interrupted by SIGINT, like terraform).
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface FakeTerraform {
  binDir: string;
  /** Environment with the fake first on PATH. */
  env: NodeJS.ProcessEnv;
  calls(): Array<{ cwd: string; args: string[] }>;
  cleanup(): void;
}

const SCRIPT = `#!/bin/sh
node -e 'process.stdout.write(JSON.stringify({ cwd: process.cwd(), args: process.argv.slice(1) }) + "\\n")' -- "$@" >> "$FAKE_TF_LOG"
if [ -n "$FAKE_TF_SLEEP" ]; then
  trap 'echo "Interrupt received." >&2; exit 130' INT
  sleep "$FAKE_TF_SLEEP" & wait $!
fi
if [ "$1" = "$FAKE_TF_FAIL" ]; then
  echo "Error: creating EC2 Instance: operation error EC2: RunInstances, api error UnauthorizedOperation" >&2
  exit 1
fi
case "$1" in
  init) echo "Terraform has been successfully initialized!" ;;
  apply) echo "Apply complete! Resources: 6 added, 0 changed, 0 destroyed." ;;
  destroy) echo "Destroy complete! Resources: 6 destroyed." ;;
  output) cat "$FAKE_TF_OUTPUTS" ;;
  *) echo "fake terraform: unexpected command $1" >&2; exit 2 ;;
esac
`;

export function installFakeTerraform(
  outputs: Record<string, unknown>,
  options: { failOn?: string } = {},
): FakeTerraform {
  const root = mkdtempSync(join(tmpdir(), 'wms-fake-tf-'));
  const binDir = join(root, 'bin');
  mkdirSync(binDir);
  writeFileSync(join(binDir, 'terraform'), SCRIPT);
  chmodSync(join(binDir, 'terraform'), 0o755);
  const log = join(root, 'calls.jsonl');
  writeFileSync(log, '');
  const shaped = Object.fromEntries(
    Object.entries(outputs).map(([k, value]) => [k, { sensitive: false, type: typeof value, value }]),
  );
  writeFileSync(join(root, 'outputs.json'), JSON.stringify(shaped, null, 2));
  return {
    binDir,
    env: {
      ...process.env,
      PATH: `${binDir}${delimiter}${process.env.PATH ?? ''}`,
      FAKE_TF_LOG: log,
      FAKE_TF_OUTPUTS: join(root, 'outputs.json'),
      FAKE_TF_FAIL: options.failOn ?? '',
    },
    calls: () =>
      readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { cwd: string; args: string[] }),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}
