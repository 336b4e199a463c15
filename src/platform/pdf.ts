/**
 * pdfkit and the CJK font (Noto Sans SC, regular and bold, in `assets/fonts`), loaded on the first document and
 * then kept for the life of the process: a process that never renders a PDF never loads them, and parsing the
 * two 10 MB fonts (a few hundred milliseconds) happens once, not per document.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type PDFDocumentClass from 'pdfkit';

/** The fonts sit beside `src/` (and `dist/`), at the same depth from this file in both. */
export const FONT_DIR = path.resolve(import.meta.dirname, '../../assets/fonts');

/** A parsed font as fontkit gives it. pdfkit accepts it in place of the file's bytes, though its types say Buffer. */
type ParsedFont = { layout: (...args: unknown[]) => unknown };

export interface PdfKit {
  PDFDocument: typeof PDFDocumentClass;
  /** For `doc.registerFont(name, font)`. */
  fonts: { regular: Buffer; bold: Buffer };
}

let loading: Promise<PdfKit> | undefined;

export function loadPdfKit(): Promise<PdfKit> {
  loading ??= (async () => {
    const { default: PDFDocument } = await import('pdfkit');
    const fontkit = createRequire(import.meta.url)('fontkit') as { create(buffer: Uint8Array): ParsedFont };
    const font = (file: string) =>
      fontkit.create(readFileSync(path.join(FONT_DIR, file))) as unknown as Buffer;
    return {
      PDFDocument,
      fonts: { regular: font('NotoSansSC_400Regular.ttf'), bold: font('NotoSansSC_700Bold.ttf') },
    };
  })();
  loading.catch(() => (loading = undefined));
  return loading;
}
