/**
 * A new upload grant for one of her existing journal entries (`createJournalUploadGrant`), with her thread token:
 * what the page's "add a file to this entry" form does (`/help/thread/journal/entries/:entryId/files`), for API
 * clients, which then upload with tus (`createEvidenceUpload`). Another thread's entry answers 404. The grant ends
 * with her thread session, like the one `createJournalEntry` answers.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../platform/errors.ts';
import { survivorThreadFromBearer } from '../help/help.journal-session.ts';
import { errors } from '../helpline/helpline.schemas.ts';
import type { EvidenceService } from './evidence.service.ts';
import type { JournalService } from './journal.service.ts';
import { ownerOf } from './journal.routes.tsx';

export function journalGrantApi(
  app: FastifyInstance,
  evidence: EvidenceService,
  journal: JournalService,
): void {
  app.post(
    '/api/help/thread/journal/:entryId/uploads',
    {
      config: {
        access: {
          public: true,
          reason: 'a grant for her own journal entry, with the thread token from openHelpThread',
        },
      },
      schema: {
        operationId: 'createJournalUploadGrant',
        tags: ['evidence'],
        summary:
          'An upload grant for adding files to one of her journal entries (then tus on /api/evidence/uploads)',
        headers: Type.Object({ authorization: Type.Optional(Type.String({ maxLength: 200 })) }),
        params: Type.Object({ entryId: Type.String({ maxLength: 100 }) }),
        response: {
          201: Type.Object({
            token: Type.String({ description: 'Send as the Anxin-Upload-Grant header on every tus request' }),
            endpoint: Type.String(),
            expiresAt: Type.String({ format: 'date-time' }),
            maxFileBytes: Type.Integer(),
          }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const session = await survivorThreadFromBearer(request);
      if (!session) throw new AppError('UNAUTHENTICATED');
      const entry = await journal.entryOf(ownerOf(session), (request.params as { entryId: string }).entryId);
      if (!entry) throw new AppError('NOT_FOUND');
      reply.header('cache-control', 'no-store');
      return reply.status(201).send(
        evidence.createUploadForOwner({
          ownerRef: ownerOf(session),
          uploadedBy: 'survivor',
          journalEntryId: entry.id,
          threadSessionId: session.id,
        }),
      );
    },
  );
}
