import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { VIDEO_ID_PATTERN } from './video-store.js';

/**
 * Paths of a video's files. Every path is built from an id that we generated and that matches
 * VIDEO_ID_PATTERN; nothing a client sends ever becomes part of a path.
 */
export class VideoFiles {
  readonly root: string;
  readonly incoming: string;
  readonly tus: string;

  constructor(dataDir: string) {
    this.root = join(dataDir, 'videos');
    this.incoming = join(dataDir, 'incoming');
    this.tus = join(dataDir, 'tus');
  }

  dir(id: string): string {
    if (!VIDEO_ID_PATTERN.test(id)) throw new Error(`Not a video id: ${JSON.stringify(id)}`);
    return join(this.root, id);
  }

  /** The assembled upload. */
  source(id: string): string {
    return join(this.dir(id), 'source');
  }

  /** The source while chunks arrive: chunks whose offset is known are written straight into it. */
  partial(id: string): string {
    return join(this.dir(id), 'source.partial');
  }

  parts(id: string): string {
    return join(this.dir(id), 'parts');
  }

  part(id: string, key: number): string {
    if (!Number.isSafeInteger(key) || key < 0) throw new Error(`Not a chunk key: ${key}`);
    return join(this.parts(id), String(key));
  }

  /** A fresh name under `incoming/` for a chunk whose video is not known yet. */
  temp(): string {
    return join(this.incoming, `${randomBytes(16).toString('hex')}.tmp`);
  }
}
