import { preconditionFailed } from '../errors/scim-error.ts';

/** RFC 7644 §3.14: meta.version and the ETag header are the same weak entity tag. */
export function etagOf(version: number): string {
  return `W/"${version}"`;
}

function tagsOf(header: string): string[] {
  return header
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .filter((t) => t.length > 0);
}

/** Weak comparison (RFC 9110 §8.8.3.2): does the header name this version, or `*`? */
export function matchesVersion(header: string, version: number): boolean {
  const current = `"${version}"`;
  return tagsOf(header).some((tag) => tag === '*' || tag === current);
}

/** If-Match on a write: 412 unless the client's tag is still current. */
export function checkIfMatch(header: string | undefined, version: number): void {
  if (header !== undefined && !matchesVersion(header, version)) {
    throw preconditionFailed(`If-Match ${header} does not match the current version ${etagOf(version)}`);
  }
}
