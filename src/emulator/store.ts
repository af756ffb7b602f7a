import { randomInt } from 'node:crypto';

/** A cover the emulator accepted. */
export interface StoredCover {
  /** The cover's own fileId: a numeric string of 18 digits. */
  fileId: string;
  url: string;
  /** Path part of `url`, where the emulator serves the bytes. */
  path: string;
  videoFileId: string;
  fileName: string;
  fileType: string;
  /** Lower-case hex SHA-1 of `bytes`. */
  sha1: string;
  bytes: Buffer;
  storedAt: Date;
}

/** In-memory covers, keyed by (video fileId, SHA-1) as VOD deduplicates them. */
export class CoverStore {
  readonly #byKey = new Map<string, StoredCover>();
  readonly #byPath = new Map<string, StoredCover>();
  // 18-digit ids above 2^53, like the vendor's, so a client that turns them into numbers breaks.
  #nextId = BigInt(randomInt(100_000, 999_999)) * 10n ** 12n + BigInt(randomInt(0, 10 ** 12));

  constructor(
    readonly appId: string,
    readonly baseUrl: string,
  ) {}

  get(videoFileId: string, sha1: string): StoredCover | undefined {
    return this.#byKey.get(key(videoFileId, sha1));
  }

  byPath(path: string): StoredCover | undefined {
    return this.#byPath.get(path);
  }

  /** Stores a new cover; the caller has checked there is none for (video, SHA-1). */
  add(input: Omit<StoredCover, 'fileId' | 'url' | 'path' | 'storedAt'>): StoredCover {
    const fileId = String(this.#nextId++);
    // The vendor's shape: /vod{appId}/{videoFileId}/{coverFileId}.{fileType}
    const path = `/vod${this.appId}/${encodeURIComponent(input.videoFileId)}/${fileId}.${input.fileType}`;
    const cover: StoredCover = { ...input, fileId, path, url: `${this.baseUrl}${path}`, storedAt: new Date() };
    this.#byKey.set(key(input.videoFileId, input.sha1), cover);
    this.#byPath.set(path, cover);
    return cover;
  }

  list(): StoredCover[] {
    return [...this.#byKey.values()];
  }

  clear(): void {
    this.#byKey.clear();
    this.#byPath.clear();
  }
}

function key(videoFileId: string, sha1: string): string {
  return `${videoFileId}\n${sha1.toLowerCase()}`;
}
