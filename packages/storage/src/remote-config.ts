/**
 * Which store a repository pushes to. In order: the explicit URL (flag), WMS_DATA_REMOTE, the
 * default remote in `.dvc/config` (so a DVC-configured repository needs nothing else), else the
 * embedded local store `.wms/data-remote` in the repository.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { UserError } from '@wms/core';
import { LocalDirectoryStore } from './local-store';
import type { ObjectStore } from './object-store';
import { S3Store } from './s3-store';

export interface RemoteSpec {
  url: string;
  /** S3 endpoint override (`endpointurl` in .dvc/config, or WMS_S3_ENDPOINT). */
  endpoint?: string;
  /** Where the URL came from, for messages. */
  source: string;
}

export const EMBEDDED_REMOTE_DIR = '.wms/data-remote';

/** The two settings we need from DVC's INI-style config: core.remote and that remote's url/endpointurl. */
export function readDvcRemote(configText: string): { url: string; endpoint?: string } | undefined {
  let section = '';
  const values = new Map<string, string>();
  for (const rawLine of configText.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[\s*'?(.*?)'?\s*\]$/.exec(line);
    if (header) {
      section = header[1]!.replace(/\s+/g, ' ').replace(/"/g, '');
      continue;
    }
    const kv = /^([^=]+?)\s*=\s*(.*)$/.exec(line);
    if (kv) values.set(`${section}.${kv[1]!.trim()}`, kv[2]!.trim());
  }
  const name = values.get('core.remote');
  if (!name) return undefined;
  const url = values.get(`remote ${name}.url`);
  if (!url) return undefined;
  const endpoint = values.get(`remote ${name}.endpointurl`);
  return endpoint ? { url, endpoint } : { url };
}

export function resolveRemote(repoDir: string, explicitUrl: string | undefined, env: NodeJS.ProcessEnv): RemoteSpec {
  const endpoint = env.WMS_S3_ENDPOINT || env.AWS_ENDPOINT_URL_S3 || undefined;
  if (explicitUrl) return { url: explicitUrl, endpoint, source: '--remote-url' };
  if (env.WMS_DATA_REMOTE) return { url: env.WMS_DATA_REMOTE, endpoint, source: 'WMS_DATA_REMOTE' };
  let configText: string | undefined;
  try {
    configText = readFileSync(join(repoDir, '.dvc', 'config'), 'utf8');
  } catch {
    configText = undefined;
  }
  const dvc = configText ? readDvcRemote(configText) : undefined;
  if (dvc) return { url: dvc.url, endpoint: endpoint ?? dvc.endpoint, source: '.dvc/config' };
  return { url: join(repoDir, EMBEDDED_REMOTE_DIR), source: 'embedded default' };
}

export function openStore(spec: RemoteSpec, repoDir: string): ObjectStore {
  const s3 = /^s3:\/\/([^/]+)\/?(.*)$/.exec(spec.url);
  if (s3) {
    return new S3Store({ bucket: s3[1]!, prefix: s3[2]!.replace(/\/+$/, ''), endpoint: spec.endpoint });
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec.url) && !spec.url.startsWith('file://')) {
    throw new UserError(`The data remote ${spec.url} (from ${spec.source}) has an unsupported scheme.`, {
      hint: 'Use s3://bucket/prefix, a folder path, or file:///path.',
    });
  }
  const path = spec.url.startsWith('file://') ? new URL(spec.url).pathname : spec.url;
  return new LocalDirectoryStore(isAbsolute(path) ? path : resolve(repoDir, path));
}
