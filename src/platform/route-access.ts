/** The access rule a route declares (`config.access`): see access.ts and access-guard.ts. */
export type RouteAccess =
  | { public: true; reason: string }
  /** `record` names a record type registered by the module that owns it (registerRecordType); the route's `:id` param is checked against the actor's scope. */
  | { action: string; scope?: string; record?: string; body?: Readonly<Record<string, BodyRecord>> };

/** An id inside the body that names a record: checked like `:id` (404 outside the actor's scope). */
export interface BodyRecord {
  /** A record type registered by the module that owns it (registerRecordType). */
  record: string;
  /** The action the caller needs on that record (default: the route's action). */
  action?: string;
}
