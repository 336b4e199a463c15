/** A refused upload or request: a code, an HTTP status and a message key in the user's language. */
import { translate, type Locale, type MessageKey, type MessageParams } from '../../platform/i18n/catalog.ts';

export type RefusalCode =
  | 'EVIDENCE_TYPE_REFUSED'
  | 'EVIDENCE_MALWARE'
  | 'EVIDENCE_TOO_LARGE'
  | 'EVIDENCE_QUOTA'
  | 'EVIDENCE_TRUNCATED'
  | 'EVIDENCE_GRANT_INVALID'
  | 'EVIDENCE_METADATA'
  | 'EVIDENCE_FAILED'
  | 'EVIDENCE_RETRY'
  | 'EVIDENCE_UPLOAD_GONE';

export class EvidenceRefusal extends Error {
  constructor(
    readonly code: RefusalCode,
    readonly status: number,
    readonly messageKey: MessageKey,
    readonly params: MessageParams = {},
    options?: { cause?: unknown },
  ) {
    super(code, options);
    this.name = 'EvidenceRefusal';
  }

  message_(locale: Locale): string {
    const params = Object.fromEntries(
      Object.entries(this.params).map(([k, v]) => [
        k,
        typeof v === 'string' && v.startsWith('evidence.') ? translate(locale, v as MessageKey) : v,
      ]),
    );
    return translate(locale, this.messageKey, params);
  }

  /** The shape @tus/server sends back: a status and a body (JSON here, so clients can show the message). */
  toTus(locale: Locale): { status_code: number; body: string } {
    return {
      status_code: this.status,
      body: JSON.stringify({ error: { code: this.code, message: this.message_(locale) } }),
    };
  }
}
