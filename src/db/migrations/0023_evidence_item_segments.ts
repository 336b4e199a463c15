/**
 * One pass (issue 17): an upload's encrypted segments become its item's stored object as they are, so
 * completing an upload moves no bytes. An item made this way lists its segments here, in order, with their
 * plaintext sizes (range reads find the frames to decrypt from them). Items stored before keep their single
 * object (`evidence_item.object_key`) and have no rows here.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table evidence_item_segment (
      evidence_id uuid not null references evidence_item (id) on delete cascade,
      idx integer not null check (idx >= 0),
      object_key text not null,
      plain_bytes bigint not null check (plain_bytes > 0),
      primary key (evidence_id, idx)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table evidence_item_segment`.execute(db);
}
