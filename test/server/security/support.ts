/** Helpers of the security tests: snapshots of folders, and problem bodies. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Every path under `dir` with its size, mtime and, for files, a hash of the content. */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (path: string): void => {
    for (const name of readdirSync(path)) {
      const full = join(path, name);
      const stat = lstatSync(full);
      const key = relative(dir, full).split(sep).join('/');
      if (stat.isDirectory()) {
        out.set(`${key}/`, 'dir');
        visit(full);
      } else {
        out.set(key, `${stat.size} ${stat.mtimeMs} ${createHash('sha256').update(readFileSync(full)).digest('hex')}`);
      }
    }
  };
  if (existsSync(dir)) visit(dir);
  return out;
}

/** What changed between two snapshots: added, removed and modified paths. */
export function changes(before: Map<string, string>, after: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [path, state] of after) {
    if (!before.has(path)) out.push(`+ ${path}`);
    else if (before.get(path) !== state) out.push(`~ ${path}`);
  }
  for (const path of before.keys()) if (!after.has(path)) out.push(`- ${path}`);
  return out;
}

/** The paths of a snapshot whose state changed, leaving out the database files SQLite rewrites. */
export function fileChanges(before: Map<string, string>, after: Map<string, string>): string[] {
  return changes(before, after).filter((line) => !/ video-api\.sqlite(-wal|-shm)?$/.test(line));
}

export async function expectProblem(
  response: Response,
  status: number,
): Promise<{ title: string; status: number; type: string }> {
  const text = await response.text();
  assert.equal(response.status, status, text);
  assert.match(response.headers.get('content-type') ?? '', /json/);
  const problem = JSON.parse(text) as { title: string; status: number; type: string };
  assert.equal(problem.status, status);
  return problem;
}
