import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';

/**
 * Every file under a folder as `path size mtime`, one line each, sorted: two snapshots are equal
 * when nothing was created, deleted, resized or rewritten in between.
 */
export async function folderSnapshot(dir: string): Promise<string> {
  const lines: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        lines.push(`${relative(dir, path)}/`);
        await walk(path);
        continue;
      }
      const info = await stat(path).catch(() => undefined);
      lines.push(`${relative(dir, path)} ${info?.size ?? '?'} ${info?.mtimeMs ?? '?'}`);
    }
  };
  await walk(dir);
  return lines.sort().join('\n');
}
