/**
 * Browser mode's reference uploads: the page POSTs a dropped file's bytes, gets an id, and names
 * that id in `importReference`. Files wait in a private folder under the config dir, are read at
 * most once, and are deleted when taken or when they are older than an hour.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DiskFullError, InvalidRequestError } from '../../shared/errors.ts';
import { ID_PATTERN } from '../../shared/studio/studio-validate.ts';
import { writeFileAtomic } from '../io/atomic-write.ts';

/** Larger than any reference needs (10 minutes of 8-channel 96 kHz float is 1.8 GB; compressed files far less). */
export const MAX_UPLOAD_BYTES = 1024 ** 3;
const MAX_AGE_MS = 60 * 60 * 1000;

export class UploadStore {
  constructor(private readonly dir: string) {}

  async put(bytes: Uint8Array): Promise<string> {
    if (bytes.length > MAX_UPLOAD_BYTES)
      throw new InvalidRequestError('upload', `The file is ${(bytes.length / 1024 ** 2).toFixed(0)} MB; uploads stop at ${MAX_UPLOAD_BYTES / 1024 ** 2} MB.`, 'Trim the clip first.');
    await mkdir(this.dir, { recursive: true });
    await this.sweep();
    const id = randomUUID().replaceAll('-', '');
    await writeFileAtomic(join(this.dir, id), bytes);
    return id;
  }

  /**
   * Streams a request body to disk, so an upload costs the server a chunk of memory, not the
   * file's size. Throws UploadTooLargeError as soon as the body passes `limit` (nothing is kept),
   * and an InvalidRequestError for an empty body. The file takes its id name only once complete.
   */
  async receive(body: AsyncIterable<Uint8Array>, limit = MAX_UPLOAD_BYTES): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    await this.sweep();
    const id = randomUUID().replaceAll('-', '');
    // A leading dot: sweep() may delete it when stale, and no id can name it (ID_PATTERN has no '.').
    const partial = join(this.dir, `.${id}.partial`);
    const file = await open(partial, 'wx');
    let size = 0;
    try {
      for await (const chunk of body) {
        size += chunk.length;
        if (size > limit) throw new UploadTooLargeError(limit);
        await file.write(chunk);
      }
      await file.close();
      if (size === 0) throw new InvalidRequestError('upload', 'The file is empty (0 bytes).', 'Choose a sound file.');
      await rename(partial, join(this.dir, id));
      return id;
    } catch (error) {
      await file.close().catch(() => {});
      await rm(partial, { force: true });
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EDQUOT') throw new DiskFullError(partial);
      throw error;
    }
  }

  /** The upload's bytes; the upload is gone afterwards. */
  async take(id: string): Promise<Uint8Array> {
    if (!ID_PATTERN.test(id)) throw new InvalidRequestError('uploadId', 'Not an upload id.');
    const path = join(this.dir, id);
    try {
      return new Uint8Array(await readFile(path));
    } catch {
      throw new InvalidRequestError('uploadId', 'That upload is gone (it was used already, or is over an hour old).', 'Drop the file again.');
    } finally {
      await rm(path, { force: true });
    }
  }

  private async sweep(): Promise<void> {
    const now = Date.now();
    for (const name of await readdir(this.dir)) {
      const path = join(this.dir, name);
      const info = await stat(path).catch(() => undefined);
      if (info && now - info.mtimeMs > MAX_AGE_MS) await rm(path, { force: true });
    }
  }
}

export class UploadTooLargeError extends InvalidRequestError {
  constructor(limit: number) {
    super('upload', `The file is larger than ${limit / 1024 ** 2} MB.`, 'Trim the clip first.');
  }
}
