import { open } from 'node:fs/promises';

/** fsyncs a folder: a file's creation, rename or removal is durable only once its folder is. */
export async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
