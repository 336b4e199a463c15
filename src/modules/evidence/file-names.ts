/**
 * File names of evidence: cleaned when an upload is created (tus metadata or the journal's form), and made safe
 * again when a file is served. A served name always ends in the extension of the type detected from the file's
 * bytes, so a name she (or anyone) chose — `statement.bat`, `photo.hta`, `notes.html` — cannot make a staff
 * computer run or render it as something else: `text/plain` is served as `….txt`.
 */

// Path separators, control characters and the bidirectional controls that can hide an extension ("gpj.exe").
// eslint-disable-next-line no-control-regex -- removing control characters is the point
const REMOVED = /[\\/\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** The name to store for an upload: separators and control characters removed, at most 255 characters. */
export function uploadFileName(raw: string): string {
  const cleaned = raw.normalize('NFC').replace(REMOVED, '').trim().replace(/^\.+/, '').slice(0, 255).trim();
  return cleaned || 'evidence';
}

const SAME_TYPE: Record<string, readonly string[]> = { jpg: ['jpeg'], tif: ['tiff'], mp4: ['m4v'], txt: [] };

/** The name a file is served under: cleaned, and ending in the extension of its detected type. */
export function downloadFileName(stored: string, detectedExtension: string): string {
  const name = uploadFileName(stored).replace(/[.\s]+$/, '') || 'evidence';
  const ext = detectedExtension.toLowerCase();
  const current = /\.([^.]+)$/.exec(name)?.[1]?.toLowerCase();
  if (current === ext || (current !== undefined && SAME_TYPE[ext]?.includes(current))) return name;
  return `${name}.${ext}`;
}
