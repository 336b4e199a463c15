/**
 * The typed view of every table. Each module declares its own tables in its `*.tables.ts` and they are
 * composed here; a module reads and writes only its own tables (others go through that module's service).
 */
import type { PlatformTables } from './platform.tables.ts';
import type { IdentityTables } from '../modules/identity/identity.tables.ts';
import type { EvidenceTables } from '../modules/evidence/evidence.tables.ts';
import type { HelpTables } from '../modules/help/help.tables.ts';
import type { HelplineTables } from '../modules/helpline/helpline.tables.ts';
import type { ReportsTables } from '../modules/reports/reports.tables.ts';
import type { OrdersTables } from '../modules/orders/orders.tables.ts';
import type { WebhooksTables } from '../modules/webhooks/webhooks.tables.ts';

export type Database = PlatformTables &
  IdentityTables &
  HelpTables &
  HelplineTables &
  EvidenceTables &
  ReportsTables &
  OrdersTables &
  WebhooksTables;
