/**
 * What the vault accepts. Evidence types follow the Supreme People's Court's list of evidence of domestic
 * violence (SPC 6, see LAW.md). File types are judged by their bytes (`file-type`), never by the name or the
 * type the client claims.
 */
export const EVIDENCE_TYPES = [
  'statement',
  'police_warning',
  'police_records',
  'apology',
  'audio_visual',
  'communications',
  'medical',
  'help_seeking_records',
  'testimony',
  'injury_assessment',
  'other',
] as const;
export type EvidenceType = (typeof EVIDENCE_TYPES)[number];

export function isEvidenceType(value: unknown): value is EvidenceType {
  return typeof value === 'string' && (EVIDENCE_TYPES as readonly string[]).includes(value);
}

/** Media types accepted, as `file-type` names them (plus `text/plain`, recognised by `detectText`). */
export const ALLOWED_MEDIA_TYPES = new Set<string>([
  // images
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
  'image/heic',
  'image/heic-sequence',
  'image/heif',
  'image/heif-sequence',
  'image/avif',
  'image/bmp',
  'image/tiff',
  // video
  'video/mp4',
  'video/quicktime',
  'video/webm',
  'video/x-matroska',
  'video/3gpp',
  'video/3gpp2',
  'video/x-msvideo',
  'video/mpeg',
  'video/MP2T',
  // audio
  'audio/mpeg',
  'audio/mp4',
  'audio/x-m4a',
  'audio/aac',
  'audio/ogg',
  'audio/opus',
  'audio/wav',
  'audio/x-wav',
  'audio/amr',
  'audio/x-flac',
  'audio/flac',
  'audio/webm',
  'audio/3gpp',
  // documents
  'application/pdf',
  'application/x-cfb', // legacy .doc / .xls / .ppt
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/rtf',
  // chat exports (WeChat/WhatsApp/Telegram exports are text or ZIP archives; ClamAV scans inside archives)
  'application/zip',
  'text/plain',
]);

/** Images that get a preview (sharp can decode them in the stock build). */
export const PREVIEW_MEDIA_TYPES = new Set([
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
  'image/avif',
  'image/tiff',
]);

/**
 * Text (chat exports, notes): UTF-8, UTF-16 with a byte-order mark, or GB18030, with no control characters
 * other than tab, line breaks, form feed and escape. Judged on the first bytes of the file.
 */
export function detectText(sample: Buffer): boolean {
  if (sample.length === 0) return false;
  const utf16 = (sample[0] === 0xff && sample[1] === 0xfe) || (sample[0] === 0xfe && sample[1] === 0xff);
  const encodings = utf16 ? [sample[0] === 0xff ? 'utf-16le' : 'utf-16be'] : ['utf-8', 'gb18030'];
  for (const encoding of encodings) {
    let text: string;
    try {
      text = new TextDecoder(encoding, { fatal: true }).decode(sample, { stream: true });
    } catch {
      continue;
    }
    // eslint-disable-next-line no-control-regex
    if (!/[\u0000-\u0008\u000e-\u001a\u001c-\u001f\u007f]/.test(text)) return true;
  }
  return false;
}

/** A human size, for messages: 1.5 GiB, 300 MiB, 12 KiB. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : Number(value.toFixed(value >= 10 ? 0 : 1))} ${units[unit]}`;
}
