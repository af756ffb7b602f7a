import type { CoverStore } from '../ledger/cover-store.js';
import type { SmallFileUploadResult, VodClient } from '../vod/client.js';
import { VodTransportError } from '../vod/errors.js';
import { MAX_FILE_SIZE, isValidVideoFileId } from '../vod/protocol.js';
import { splitFileName } from './file-name.js';
import { kindOfExtension } from './image-type.js';
import { readUpload } from './read-upload.js';
import { GATEWAY_CODES, UPLOAD_ERROR_REASONS, localError, type UploadCoverResult } from './upload-result.js';
import { discardUpload, openUpload, type UploadValue } from './upload-value.js';

/** Options of {@link createCoverUploader}. */
export interface CoverUploaderOptions {
  /** Where covers go. */
  vod: VodClient;
  /** Where successful uploads are recorded. */
  ledger?: CoverStore;
  /** Told when a success could not be recorded (the upload itself stands). @default console.error */
  onLedgerError?: (error: unknown) => void;
  /**
   * Largest cover accepted, in bytes.
   * @default 1048576
   */
  maxFileSize?: number;
  /**
   * Most bytes of a multipart request that are not the file (the `operations` and `map` fields,
   * part headers, boundaries). A request longer than `maxFileSize` plus this cannot hold a valid
   * cover and is refused before its file is read.
   * @default 265536 (two 100,000-byte fields and 64 KiB)
   */
  maxRequestOverhead?: number;
}

/** What one `uploadVideoCover` call gives the uploader. */
export interface UploadCoverInput {
  videoFileId: string;
  file: UploadValue;
  /** The multipart request's Content-Length, when it has one: bounds the file's size. */
  requestSize?: number;
  /**
   * Stops reading the HTTP request when the file is refused before its end, so the rest of a huge
   * or unwanted body is never read (the host closes the connection after answering).
   */
  stopReadingRequest?: () => void;
}

export interface CoverUploader {
  /** Validates, reads and sends one cover; every expected failure is the error member. */
  upload(input: UploadCoverInput): Promise<UploadCoverResult>;
}

/**
 * The data path of `uploadVideoCover`: fileId → the part's name → its bytes (streamed, hashed,
 * checked) → VOD → result union. Nothing reaches VOD unless every check passed.
 */
export function createCoverUploader(options: CoverUploaderOptions): CoverUploader {
  const {
    vod,
    ledger,
    onLedgerError = (error: unknown) => console.error('cover ledger: a successful upload was not recorded:', error),
    maxFileSize = MAX_FILE_SIZE,
    maxRequestOverhead = 2 * 100_000 + 64 * 1024,
  } = options;
  const tooLarge = () => localError('FILE_TOO_LARGE', `The file is larger than ${maxFileSize} bytes.`);

  async function upload({ videoFileId, file, requestSize, stopReadingRequest = () => undefined }: UploadCoverInput): Promise<UploadCoverResult> {
    if (!isValidVideoFileId(videoFileId)) {
      stopReadingRequest();
      return localError('INVALID_FILE_ID', UPLOAD_ERROR_REASONS.INVALID_FILE_ID);
    }
    let opened;
    try {
      opened = await openUpload(file);
    } catch (error) {
      // graphql-upload-minimal: 400 = the request names a part it does not hold (sending it
      // again changes nothing); anything else = the request was cut off.
      if ((error as { status?: unknown }).status === 400) {
        return { ...localError('UPLOAD_ABORTED', 'The request holds no file part for the `file` variable.'), canRetry: false };
      }
      return localError('UPLOAD_ABORTED', 'The request ended before the file part arrived.');
    }
    const name = splitFileName(opened.filename);
    if (!name.ok) {
      stopReadingRequest();
      discardUpload(opened);
      return localError(name.reason, name.message);
    }
    // Known before reading: a File's size, or at least what a request's length leaves for the file.
    const smallestPossible = opened.size ?? (requestSize === undefined ? 0 : requestSize - maxRequestOverhead);
    if (smallestPossible > maxFileSize) {
      stopReadingRequest();
      discardUpload(opened);
      return tooLarge();
    }
    const expectedKind = kindOfExtension(name.fileType);
    const read = await readUpload(opened.stream, { expectedKind, maxBytes: maxFileSize, sizeHint: opened.size ?? requestSize });
    if (!read.ok) {
      if (read.reason !== 'EMPTY_FILE') stopReadingRequest();
      switch (read.reason) {
        case 'FILE_TOO_LARGE':
          return tooLarge();
        case 'EMPTY_FILE':
          return localError('EMPTY_FILE', 'The file is empty.');
        case 'CONTENT_MISMATCH':
          return localError(
            'CONTENT_MISMATCH',
            `The file is named .${name.fileType} but its bytes are ${read.detectedKind ? `a ${read.detectedKind} image` : `not a ${expectedKind} image`}.`,
          );
        case 'UPLOAD_ABORTED':
          return localError('UPLOAD_ABORTED', 'The upload stopped before the whole file arrived.');
      }
    }

    let answer: SmallFileUploadResult;
    try {
      answer = await vod.smallFileUpload({
        videoFileId,
        fileName: name.fileName,
        fileType: name.fileType,
        body: read.bytes,
        sha1: read.sha1,
        size: read.size,
      });
    } catch (error) {
      if (!(error instanceof VodTransportError)) throw error;
      return {
        ok: false,
        code: GATEWAY_CODES[error.code as keyof typeof GATEWAY_CODES] ?? GATEWAY_CODES.VOD_CONNECTION,
        message: `VOD could not be reached: ${error.message}.`,
        canRetry: error.canRetry,
        reason: 'VOD_UNAVAILABLE',
      };
    }
    if (answer.ok) {
      // VOD has the cover whatever happens to this write; losing it loses only this record.
      await ledger
        ?.record({
          videoFileId,
          coverFileId: answer.fileId,
          url: answer.url,
          sha1: read.sha1,
          size: read.size,
          fileType: name.fileType,
          uploadedAt: new Date(),
        })
        .catch(onLedgerError);
      return { ok: true, fileId: answer.fileId, url: answer.url, videoFileId, sha1: read.sha1, size: read.size, instant: answer.instant };
    }
    const detail = [answer.message, answer.codeDesc].filter(Boolean).join(' / ') || 'no message';
    return answer.canRetry
      ? { ok: false, code: answer.code, message: `VOD failed for now (${detail}).`, canRetry: true, reason: 'VOD_UNAVAILABLE' }
      : { ok: false, code: answer.code, message: `VOD rejected the cover (${detail}).`, canRetry: false, reason: 'VOD_REJECTED' };
  }

  return { upload };
}
