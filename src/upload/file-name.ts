import { fileNameProblem } from '../vod/cover-rules.js';
import { IMAGE_EXTENSIONS, isImageExtension, type ImageExtension } from './image-type.js';

/** A client's file name split into what VOD takes as `fileName` and `fileType`. */
export interface CoverFileName {
  /** The name without path and extension, as VOD's `fileName`. */
  fileName: string;
  /** The extension, lower-cased, as VOD's `fileType`. */
  fileType: ImageExtension;
}

/** The name's parts, or why it is refused: an outcome key with its facts (see outcomes.ts). */
export type FileNameCheck =
  | ({ ok: true } & CoverFileName)
  | { ok: false; reason: 'INVALID_FILE_NAME'; case: 'rule'; problem: string }
  | { ok: false; reason: 'UNSUPPORTED_FILE_TYPE'; case: 'extension'; extension: string };

/** Characters no file name may hold: C0 controls and DEL (NUL, CR, LF, …). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/**
 * Splits a multipart part's file name (`C:\\covers\\封面 1.jpg` → `封面 1` + `jpg`): any client path
 * is dropped, the last extension is the type, the rest obeys §1 of the VOD contract. The name is
 * NFC-normalized first: macOS writes "é" as "e" and a combining accent, which would count twice
 * against the length limit and reach VOD as another name than the one the user typed.
 */
export function splitFileName(raw: string, accepted: readonly ImageExtension[] = IMAGE_EXTENSIONS): FileNameCheck {
  const name = raw.normalize('NFC');
  const base = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  if (CONTROL_CHARS.test(base))
    return { ok: false, reason: 'INVALID_FILE_NAME', case: 'rule', problem: 'contains a control character' };
  const dot = base.lastIndexOf('.');
  const stem = dot === -1 ? base : base.slice(0, dot);
  const extension = dot === -1 ? '' : base.slice(dot + 1).toLowerCase();
  const problem = fileNameProblem(stem);
  if (problem !== undefined)
    return { ok: false, reason: 'INVALID_FILE_NAME', case: 'rule', problem: `without its extension ${problem}` };
  if (!isImageExtension(extension) || !accepted.includes(extension))
    return { ok: false, reason: 'UNSUPPORTED_FILE_TYPE', case: 'extension', extension };
  return { ok: true, fileName: stem, fileType: extension };
}
