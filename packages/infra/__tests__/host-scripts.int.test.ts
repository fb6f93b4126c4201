/**
 * The host's first-boot script rendered the way Terraform's templatefile renders it: it must be
 * valid bash, and its idle self-stop check must power off exactly when MLflow has had no request
 * for the configured minutes (systemctl and logger are recording stubs on PATH).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const TEMPLATE = resolve(__dirname, '../../../infra/modules/mlflow-host/user-data.sh.tftpl');

/**
 * templatefile(): ${name} is a variable; $${ is a literal ${ whatever follows it (so bash's
 * ${VAR:-default} is written $${VAR:-default}); no directives are used.
 */
function render(vars: Record<string, string | number>): string {
  return readFileSync(TEMPLATE, 'utf8').replace(/\$\$\{|\$\{([a-z_]+)\}/g, (whole, name: string | undefined) => {
    if (name === undefined) return '${';
    if (!(name in vars)) throw new Error(`template variable ${name} not given`);
    return String(vars[name]);
  });
}

const VARS = {
  region: 'eu-central-1',
  bucket_name: 'wms-data',
  data_volume_serial: 'vol0123456789abcdef0',
  password_parameter_name: '/wms/mlflow/password',
  mlflow_username: 'wms',
  mlflow_version: '2.12.2',
  idle_stop_minutes: 60,
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wms-host-scripts-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('renders to valid bash with every variable filled in', () => {
  const script = render(VARS);
  expect(script).not.toMatch(/\$\{(region|bucket_name|data_volume_serial|mlflow_version|idle_stop_minutes)\}/);
  expect(script).not.toContain('$${');
  expect(script).toContain('--artifacts-destination s3://wms-data/mlflow-artifacts --serve-artifacts');
  expect(script).toContain('/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol0123456789abcdef0');
  const file = join(dir, 'user-data.sh');
  writeFileSync(file, script);
  const check = spawnSync('bash', ['-n', file], { encoding: 'utf8' });
  expect(check.stderr).toBe('');
  expect(check.status).toBe(0);
});

describe('the idle check', () => {
  function idleCheck(idleMinutes: number, lastRequestMinutesAgo: number | undefined): string[] {
    const script = render({ ...VARS, idle_stop_minutes: idleMinutes });
    const body = /cat > \/usr\/local\/bin\/mlflow-idle-check <<'CHECK'\n([\s\S]*?)\nCHECK\n/.exec(script);
    if (!body) throw new Error('idle check not found in the user data');
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    const calls = join(dir, 'calls');
    for (const tool of ['systemctl', 'logger']) {
      writeFileSync(join(bin, tool), `#!/bin/sh\necho "${tool} $*" >> "${calls}"\n`);
      chmodSync(join(bin, tool), 0o755);
    }
    writeFileSync(join(dir, 'check.sh'), body[1]!);
    const log = join(dir, 'access.log');
    if (lastRequestMinutesAgo !== undefined) {
      writeFileSync(log, '10.0.0.5 - wms [..] "GET /health HTTP/1.1" 200 2\n');
      const t = (Date.now() - lastRequestMinutesAgo * 60_000) / 1000;
      utimesSync(log, t, t);
    }
    const run = spawnSync('bash', [join(dir, 'check.sh')], {
      encoding: 'utf8',
      env: { PATH: `${bin}:/usr/bin:/bin`, MLFLOW_ACCESS_LOG: log },
    });
    expect(run.status).toBe(0);
    try {
      return readFileSync(calls, 'utf8').trim().split('\n');
    } catch {
      return [];
    }
  }

  const uptimeMinutes = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) / 60;

  it('powers off after the idle minutes without a request', () => {
    expect(idleCheck(1, 120)).toEqual([
      'logger -t mlflow-idle no MLflow request for 1 min: powering off (the instance stops)',
      'systemctl poweroff',
    ]);
  });

  it('counts idle time from boot at the earliest (a request before the last stop does not count)', () => {
    // Without the clamp, the request (older than the boot) would be idleMinutes + 30 ago.
    const idleMinutes = Math.ceil(uptimeMinutes) + 30;
    expect(idleCheck(idleMinutes, idleMinutes + 30)).toEqual([]);
  });

  it('does nothing while requests keep coming, or when the idle stop is off', () => {
    expect(idleCheck(60, 5)).toEqual([]);
    rmSync(join(dir, 'bin'), { recursive: true });
    expect(idleCheck(0, 600)).toEqual([]);
  });
});
