import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** What one build step reads, and the file whose absence means it never ran. */
export interface BuildInputs {
  /** Directories (walked recursively) and files, relative to the repository root. */
  paths: readonly string[];
  /** Files under `paths` that cannot change the output (e.g. tests for the client bundle). */
  ignore?: (relativePath: string) => boolean;
  /** Anything else that changes the output, e.g. NODE_ENV for the client bundle. */
  extra?: string;
  /** Relative path of an output file; when missing, the step is stale whatever the stamp says. */
  output: string;
}

function walk(root: string, rel: string, into: string[]): void {
  const abs = path.join(root, rel);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(abs);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (stat.isFile()) {
    into.push(rel);
    return;
  }
  if (!stat.isDirectory()) return;
  for (const name of fs.readdirSync(abs)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    walk(root, path.join(rel, name), into);
  }
}

/**
 * A digest of every input file's path and content (not mtimes: a fresh clone or a
 * `git checkout` gives every file a new mtime without changing what is built).
 */
export function inputDigest(root: string, inputs: BuildInputs): string {
  const files: string[] = [];
  for (const p of inputs.paths) walk(root, p, files);
  const hash = createHash('sha256');
  hash.update(`extra\0${inputs.extra ?? ''}\0`);
  for (const rel of [...new Set(files)].sort()) {
    const posix = rel.split(path.sep).join('/');
    if (inputs.ignore?.(posix)) continue;
    hash.update(`${posix}\0`);
    hash.update(fs.readFileSync(path.join(root, rel)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Digests of the last successful build of each step, kept in dist/ so deleting dist/ forgets them. */
export type Stamps = Record<string, string>;

export function readStamps(file: string): Stamps {
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return {};
    return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    return {};
  }
}

export function writeStamp(file: string, step: string, digest: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify({ ...readStamps(file), [step]: digest }, null, 2)}\n`);
  fs.renameSync(tmp, file);
}

/** True when the step's output exists and was built from exactly these inputs. */
export function isFresh(root: string, stamps: Stamps, step: string, inputs: BuildInputs, digest = inputDigest(root, inputs)): boolean {
  return stamps[step] === digest && fs.existsSync(path.join(root, inputs.output));
}
