/**
 * DVC 3's content-addressed layout, shared by its cache and its remotes:
 * `files/md5/<first two hex digits>/<the other 30>[.dir]` (dvc_objects' oid_to_path under the
 * `files/md5` prefix that DVC 3 introduced).
 */
import { DIR_SUFFIX, isMd5 } from './dvc-dir';

export const OBJECTS_PREFIX = 'files/md5';

export function objectKey(oid: string): string {
  const md5 = oid.endsWith(DIR_SUFFIX) ? oid.slice(0, -DIR_SUFFIX.length) : oid;
  if (!isMd5(md5)) throw new RangeError(`objectKey: ${JSON.stringify(oid)} is not an md5 object id`);
  return `${OBJECTS_PREFIX}/${oid.slice(0, 2)}/${oid.slice(2)}`;
}
