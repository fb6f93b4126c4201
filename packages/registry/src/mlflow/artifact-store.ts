import { promises as fsp } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError, type Logger } from '@wms/core';
import { listFilesRecursive, safeJoin } from '../local/local-paths';
import type { MlflowHttp } from './mlflow-http';
import { createS3ArtifactStore } from './s3-artifact-store';

/** Moves a directory tree to and from one artifact URI (a run's artifact path or a version's source). */
export interface ArtifactStore {
  upload(localDir: string, uri: string): Promise<number>;
  download(uri: string, destDir: string): Promise<number>;
}

const PROXY_API = '/api/2.0/mlflow-artifacts/artifacts';

/**
 * The path below the artifact proxy for a URI the server handed out:
 * mlflow-artifacts:/1/abc/artifacts, mlflow-artifacts://host:5000/1/abc/artifacts, or an
 * http(s) URL that already points at /api/2.0/mlflow-artifacts/artifacts/….
 */
export function proxyPathOf(uri: string): string {
  if (uri.startsWith('mlflow-artifacts:')) {
    const rest = uri.slice('mlflow-artifacts:'.length);
    const path = rest.startsWith('//') ? rest.slice(2).replace(/^[^/]*/, '') : rest;
    return path.replace(/^\/+/, '').replace(/\/+$/, '');
  }
  const at = uri.indexOf(PROXY_API);
  if (/^https?:\/\//.test(uri) && at >= 0) {
    return uri
      .slice(at + PROXY_API.length)
      .replace(/^\/+/, '')
      .replace(/\/+$/, '');
  }
  throw new Error(`not an artifact proxy URI: ${uri}`);
}

function encodePath(path: string): string {
  return path.split('/').filter(Boolean).map(encodeURIComponent).join('/');
}

interface ProxyListing {
  files?: Array<{ path: string; is_dir?: boolean; file_size?: string | number }>;
}

/** MLflow's artifact proxy (`mlflow server --serve-artifacts`, the default since 2.0). */
export function createProxyArtifactStore(http: MlflowHttp, logger: Logger): ArtifactStore {
  const listRecursive = async (root: string): Promise<string[]> => {
    const out: string[] = [];
    const walk = async (relDir: string): Promise<void> => {
      const path = relDir ? `${root}/${relDir}` : root;
      const listing = await http.call<ProxyListing>({ method: 'GET', path: PROXY_API, query: { path } });
      for (const f of listing.files ?? []) {
        // The proxy answers with names relative to the listed directory.
        const rel = relDir ? `${relDir}/${f.path.split('/').pop()}` : (f.path.split('/').pop() ?? f.path);
        if (f.is_dir) await walk(rel);
        else out.push(rel);
      }
    };
    await walk('');
    return out;
  };

  return {
    async upload(localDir, uri) {
      const root = proxyPathOf(uri);
      const files = await listFilesRecursive(localDir);
      for (const file of files) {
        const body = await fsp.readFile(join(localDir, file));
        await http.call({ method: 'PUT', path: `${PROXY_API}/${encodePath(`${root}/${file}`)}`, body });
      }
      logger.debug(`uploaded ${files.length} artifact files to ${uri}`);
      return files.length;
    },
    async download(uri, destDir) {
      const root = proxyPathOf(uri);
      const files = await listRecursive(root);
      for (const file of files) {
        const data = await http.download({ method: 'GET', path: `${PROXY_API}/${encodePath(`${root}/${file}`)}` });
        const target = safeJoin(destDir, file);
        await fsp.mkdir(dirname(target), { recursive: true });
        await fsp.writeFile(target, data);
      }
      return files.length;
    },
  };
}

/** Picks the transport from the URI's scheme, so one registry serves proxy and S3 artifact roots. */
export function createArtifactRouter(http: MlflowHttp, logger: Logger, env: NodeJS.ProcessEnv): ArtifactStore {
  const proxy = createProxyArtifactStore(http, logger);
  let s3: ArtifactStore | undefined;
  const pick = (uri: string): ArtifactStore => {
    if (uri.startsWith('s3://')) return (s3 ??= createS3ArtifactStore({ env, logger }));
    if (uri.startsWith('mlflow-artifacts:') || /^https?:\/\/.*\/api\/2\.0\/mlflow-artifacts\/artifacts/.test(uri)) {
      return proxy;
    }
    throw new UserError(`Unsupported MLflow artifact location ${JSON.stringify(uri)}.`, {
      hint: 'Run the tracking server with --serve-artifacts (artifact proxy) or an s3:// --default-artifact-root.',
    });
  };
  return {
    upload: (localDir, uri) => pick(uri).upload(localDir, uri),
    download: (uri, destDir) => pick(uri).download(uri, destDir),
  };
}
