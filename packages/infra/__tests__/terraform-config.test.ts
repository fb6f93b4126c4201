/**
 * Terraform cannot run here, so infra/ is checked by parsing every .tf file (@cdktf/hcl2json, the
 * HCL parser of HashiCorp's Go library compiled to wasm): every var.X a module uses is declared
 * there with a description and type; module calls pass only declared variables and every required
 * one; module.X.Y references name real outputs; the template gets exactly the variables it uses;
 * the outputs start-infra reads exist; and the security properties the README promises hold.
 */
import { parse } from '@cdktf/hcl2json';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { HOST_OUTPUTS } from '../src';

const INFRA = resolve(__dirname, '../../../infra');
const MODULE_DIRS = ['.', 'ephemeral', 'modules/mlflow-host'];

type Block = Record<string, unknown>;
interface ModuleConfig {
  dir: string;
  files: Record<string, string>;
  json: Record<string, Record<string, Block[]>>;
}

async function loadModule(dir: string): Promise<ModuleConfig> {
  const abs = join(INFRA, dir);
  const files: Record<string, string> = {};
  const json: ModuleConfig['json'] = {};
  for (const name of readdirSync(abs)
    .filter((n) => n.endsWith('.tf'))
    .sort()) {
    const text = readFileSync(join(abs, name), 'utf8');
    files[name] = text;
    const parsed = (await parse(join(dir, name), text)) as ModuleConfig['json'];
    for (const [kind, blocks] of Object.entries(parsed)) {
      json[kind] = { ...json[kind], ...blocks };
    }
  }
  return { dir, files, json };
}

const modules: Record<string, ModuleConfig> = {};
beforeAll(async () => {
  for (const dir of MODULE_DIRS) modules[dir] = await loadModule(dir);
});

const names = (m: ModuleConfig, kind: string): string[] => Object.keys(m.json[kind] ?? {}).sort();
const first = (m: ModuleConfig, kind: string, name: string): Block => (m.json[kind]?.[name]?.[0] ?? {}) as Block;
const allText = (m: ModuleConfig): string => Object.values(m.files).join('\n');

describe.each(MODULE_DIRS)('infra/%s', (dir) => {
  it('parses and declares every variable it uses, each with a description and a type', () => {
    const m = modules[dir]!;
    expect(Object.keys(m.files).length).toBeGreaterThan(0);
    const used = [...new Set([...allText(m).matchAll(/\bvar\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((x) => x[1]!))].sort();
    expect(used.filter((v) => !names(m, 'variable').includes(v))).toEqual([]);
    for (const name of names(m, 'variable')) {
      const v = first(m, 'variable', name);
      expect({ name, described: typeof v.description === 'string' && v.description.length > 10 }).toEqual({
        name,
        described: true,
      });
      expect({ name, typed: typeof v.type === 'string' }).toEqual({ name, typed: true });
    }
    // Declared but never used is a variable someone sets for nothing.
    expect(names(m, 'variable').filter((v) => !used.includes(v))).toEqual([]);
  });

  it('gives every output a description', () => {
    const m = modules[dir]!;
    for (const name of names(m, 'output')) {
      expect({ name, described: Boolean(first(m, 'output', name).description) }).toEqual({ name, described: true });
    }
  });

  it('calls modules with exactly their declared variables and references only their outputs', () => {
    const m = modules[dir]!;
    for (const [call, blocks] of Object.entries(m.json.module ?? {})) {
      const block = blocks[0]!;
      const target = relative(INFRA, resolve(INFRA, dir, String(block.source)));
      const callee = modules[target];
      expect({ call, target, known: Boolean(callee) }).toEqual({ call, target, known: true });
      const meta = ['source', 'count', 'for_each', 'providers', 'depends_on', 'version'];
      const passed = Object.keys(block)
        .filter((k) => !meta.includes(k))
        .sort();
      expect(passed.filter((p) => !names(callee!, 'variable').includes(p))).toEqual([]);
      const required = names(callee!, 'variable').filter((v) => !('default' in first(callee!, 'variable', v)));
      expect(required.filter((r) => !passed.includes(r))).toEqual([]);
      const refs = [...allText(m).matchAll(new RegExp(`module\\.${call}(?:\\[\\d+\\])?\\.([a-z_]+)`, 'g'))].map(
        (x) => x[1]!,
      );
      expect(refs.length).toBeGreaterThan(0);
      expect(refs.filter((r) => !names(callee!, 'output').includes(r))).toEqual([]);
    }
  });
});

describe('what the actions and workflows read', () => {
  it('infra/ephemeral (terraform mode) has the outputs start-infra reads', () => {
    expect(names(modules.ephemeral!, 'output')).toEqual(expect.arrayContaining(Object.values(HOST_OUTPUTS)));
  });

  it('infra/ has the outputs the README tells people to copy into the workflow settings', () => {
    expect(names(modules['.']!, 'output')).toEqual(
      expect.arrayContaining([
        ...Object.values(HOST_OUTPUTS),
        'host_tag',
        'github_role_arn',
        'bucket_name',
        'data_volume_id',
        'mlflow_password_parameter',
      ]),
    );
  });

  it('the user-data template gets exactly the variables it interpolates', () => {
    const m = modules['modules/mlflow-host']!;
    const template = readFileSync(join(INFRA, 'modules/mlflow-host/user-data.sh.tftpl'), 'utf8');
    const used = [...new Set([...template.matchAll(/(?<!\$)\$\{([a-z_]+)\}/g)].map((x) => x[1]!))].sort();
    const call = /templatefile\("\$\{path\.module\}\/user-data\.sh\.tftpl", \{([\s\S]*?)\n {2}\}\)/.exec(
      m.files['main.tf']!,
    );
    expect(call).not.toBeNull();
    const passed = [...call![1]!.matchAll(/^\s+([a-z_]+)\s+=/gm)].map((x) => x[1]!).sort();
    expect(passed).toEqual(used);
    expect(template).toContain('systemctl enable --now mlflow.service nginx.service mlflow-idle.timer');
  });
});

describe('security and durability', () => {
  it('admits MLflow only from the configured CIDRs and refuses the whole internet', () => {
    const m = modules['modules/mlflow-host']!;
    const resources = m.json.resource as unknown as Record<string, Record<string, Block[]>>;
    const ingress = resources.aws_security_group!.host![0]!.ingress as Block[];
    expect(ingress).toEqual([
      expect.objectContaining({ from_port: 80, to_port: 80, cidr_blocks: '${var.allowed_cidrs}' }),
    ]);
    for (const dir of MODULE_DIRS) {
      const v = first(modules[dir]!, 'variable', 'allowed_cidrs');
      expect(JSON.stringify(v.validation)).toContain('0.0.0.0/0');
    }
  });

  it('keeps the bucket versioned, encrypted and private, and the data volume out of any host lifecycle', () => {
    const root = modules['.']!;
    const resources = root.json.resource as unknown as Record<string, Record<string, Block[]>>;
    expect(resources.aws_s3_bucket_versioning!.data![0]!.versioning_configuration).toEqual([{ status: 'Enabled' }]);
    expect(JSON.stringify(resources.aws_s3_bucket_server_side_encryption_configuration!.data)).toContain('aws:kms');
    expect(resources.aws_s3_bucket_public_access_block!.data![0]).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    const volume = resources.aws_ebs_volume!.mlflow_data![0]!;
    expect(volume).toMatchObject({ encrypted: true, lifecycle: [{ prevent_destroy: true }] });
    // The ephemeral root only attaches the volume it is given.
    expect(Object.keys(modules.ephemeral!.json.resource ?? {})).toEqual([]);
  });

  it('stops (not terminates) on OS power-off, so the idle timer stops the host', () => {
    const m = modules['modules/mlflow-host']!;
    const resources = m.json.resource as unknown as Record<string, Record<string, Block[]>>;
    expect(resources.aws_instance!.host![0]).toMatchObject({
      instance_initiated_shutdown_behavior: 'stop',
      metadata_options: [{ http_tokens: 'required', http_endpoint: 'enabled' }],
    });
  });

  it('lets the GitHub role start and stop only tagged instances, through OIDC', () => {
    const text = allText(modules['.']!);
    expect(text).toMatch(/actions\s+= \["ec2:StartInstances", "ec2:StopInstances"\]/);
    expect(text).toContain('variable = "aws:ResourceTag/${var.host_tag_key}"');
    expect(text).toContain('"sts:AssumeRoleWithWebIdentity"');
    expect(text).toContain('variable = "token.actions.githubusercontent.com:sub"');
    expect(text).not.toMatch(/aws_iam_access_key|aws_iam_user\b/);
  });
});
