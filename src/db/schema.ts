/**
 * The typed view of every table. The platform's tables are declared here; each module declares its own in its
 * `*.tables.ts` and adds them to this interface by augmentation (interface merging), so db/ imports no module:
 *
 *     declare module '../../db/schema.ts' {
 *       interface Database extends HelpTables {}
 *     }
 *
 * A module reads and writes only its own tables (others go through that module's service; the exceptions are
 * declared in .dependency-cruiser.cjs and the module's doc).
 */
import type { PlatformTables } from './platform.tables.ts';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- modules merge their tables in
export interface Database extends PlatformTables {}
