/**
 * Static assets (CSS and the few small scripts), read once at start-up, fingerprinted by content hash and
 * pre-compressed, then served from memory with immutable caching. All from our own origin.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

export interface Asset {
  file: string;
  url: string;
  contentType: string;
  raw: Buffer;
  gzip: Buffer;
  brotli: Buffer;
  etag: string;
}

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

export const WEB_DIR = path.resolve(import.meta.dirname, '../../web');

/** Browser builds of npm packages, served like our own files (same origin, fingerprinted): name → file. */
export const VENDORED: Record<string, string> = {
  'tus.min.js': path.resolve(import.meta.dirname, '../../../node_modules/tus-js-client/dist/tus.min.js'),
};

export class AssetRegistry {
  private readonly byFile = new Map<string, Asset>();
  private readonly byUrlName = new Map<string, Asset>();

  constructor(dir: string = WEB_DIR) {
    const files = [
      ...readdirSync(dir).map((file) => [file, path.join(dir, file)] as const),
      ...Object.entries(VENDORED),
    ];
    for (const [file, source] of files) {
      const ext = path.extname(file);
      const contentType = TYPES[ext];
      if (!contentType) continue;
      const raw = readFileSync(source);
      const hash = createHash('sha256').update(raw).digest('hex').slice(0, 12);
      const urlName = `${path.basename(file, ext)}-${hash}${ext}`;
      const asset: Asset = {
        file,
        url: `/assets/${urlName}`,
        contentType,
        raw,
        gzip: gzipSync(raw, { level: 9 }),
        brotli: brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
        etag: `"${hash}"`,
      };
      this.byFile.set(file, asset);
      this.byUrlName.set(urlName, asset);
    }
  }

  /** The fingerprinted URL of an asset by its file name (e.g. `app.css`). */
  url(file: string): string {
    const asset = this.byFile.get(file);
    if (!asset) throw new Error(`Unknown asset ${file}`);
    return asset.url;
  }

  byUrl(urlName: string): Asset | undefined {
    return this.byUrlName.get(urlName);
  }
}
