/**
 * Admission control in front of the help-request intake and the call-back requests made on their own (pages
 * and API): a flood costs the sender, a survivor behind a carrier-grade NAT address is not turned away because
 * someone else there flooded. Each intake has its own per-network budgets (a flood of call-back requests does
 * not spend the help-request budget, nor the other way round).
 *
 * - With a valid proof of work (platform/proof-of-work.ts; the help form's script solves it in a fraction of
 *   a second, the Mini Program and other clients through `getHelpRequestChallenge`), a request needs only a
 *   wide per-network backstop: the work is the cost.
 * - Without one (JavaScript off, an old client, or a proof that expired or was used), the request is still
 *   accepted within a per-network budget wide enough for a carrier-grade NAT address. A bad proof is never an
 *   error of its own: it counts as no proof.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { ProofVerdict } from '../../platform/proof-of-work.ts';
import { rateLimited } from '../../platform/throttle.ts';

/** Help requests per network address per hour, with and without a proof of work. */
export const INTAKE_BUDGETS = {
  proved: { max: 2_000, windowMs: 60 * 60_000 },
  unproved: { max: 200, windowMs: 60 * 60_000 },
} as const;

/** Call-back requests per network address per hour: the same budgets as help requests (issue 13). */
export const CALLBACK_BUDGETS = INTAKE_BUDGETS;

/** The header an API client sends its proof in: `<challenge>:<nonce>`. */
export const PROOF_HEADER = 'x-proof-of-work';

export const ProofHeaders = Type.Object({
  [PROOF_HEADER]: Type.Optional(
    Type.String({
      maxLength: 200,
      description:
        'Optional proof of work: `<challenge>:<nonce>`, where the challenge comes from `getHelpRequestChallenge` and SHA-256 of this ASCII string begins with `bits` zero bits. With it, a network address may file many more requests (help requests, call-back requests) per hour; without it (or when it expired or was used before) the request still counts against a smaller per-network budget.',
    }),
  ),
});

type Intake = 'intake' | 'callback';
const BUDGETS = { intake: INTAKE_BUDGETS, callback: CALLBACK_BUDGETS } as const;

async function admit(
  request: FastifyRequest,
  intake: Intake,
  network: string,
  proof: string | undefined,
): Promise<ProofVerdict> {
  const { proofOfWork, rateLimiter } = request.server;
  const verdict = await proofOfWork.redeem(proof);
  const kind = verdict === 'accepted' ? 'proved' : 'unproved';
  const decision = await rateLimiter.hit(`help.${intake}.${kind}`, network, BUDGETS[intake][kind]);
  if (!decision.allowed) throw rateLimited(decision.resetInMs / 1000);
  return verdict;
}

/**
 * Admit one help request from this network (after its input was checked, before it is stored), spending its
 * proof; refuses with RATE_LIMITED (429, Retry-After) when the network's budget for its kind is used up.
 */
export async function admitHelpRequest(
  request: FastifyRequest,
  network: string,
  proof: string | undefined,
): Promise<ProofVerdict> {
  return admit(request, 'intake', network, proof);
}

/** Admit one call-back request made on its own, exactly like a help request (its own budgets). */
export async function admitCallbackRequest(
  request: FastifyRequest,
  network: string,
  proof: string | undefined,
): Promise<ProofVerdict> {
  return admit(request, 'callback', network, proof);
}

const Challenge = Type.Object({
  challenge: Type.String({ description: 'Signed and single-use; send back as `<challenge>:<nonce>`' }),
  bits: Type.Integer({
    description: 'Leading zero bits SHA-256 of `<challenge>:<nonce>` must have (0: any nonce)',
  }),
  expiresAt: Type.String({ format: 'date-time' }),
  algorithm: Type.Literal('sha256-leading-zero-bits'),
});

/**
 * The help form's proof-of-work fields: a fresh challenge, the (empty) proof the script fills in on submit,
 * and the script. Without JavaScript the proof stays empty and the request counts as unproved.
 */
export function ProofOfWorkFields({ request }: { request: FastifyRequest }) {
  const issued = request.server.proofOfWork.issue();
  return (
    <>
      <input
        type="hidden"
        name="proofChallenge"
        value={issued.challenge}
        data-bits={String(issued.bits)}
        data-ttl={String(Math.floor(request.server.proofOfWork.ttlMs / 1000))}
        data-renew="/api/help/challenge"
        data-sending={request.t('help.new.sending')}
      />
      <input type="hidden" name="proof" value="" />
      <script src={request.server.assets.url('proof-of-work.js')} defer></script>
    </>
  );
}

export function helpAdmissionRoutes(app: FastifyInstance): void {
  app.get(
    '/api/help/challenge',
    {
      config: {
        access: {
          public: true,
          reason:
            'anyone about to file a help request may ask for a proof-of-work challenge; it carries nothing about her',
        },
      },
      schema: {
        operationId: 'getHelpRequestChallenge',
        tags: ['help'],
        summary:
          'A proof-of-work challenge for createHelpRequest and requestCallback (optional; widens the per-network budget)',
        description:
          'Find a decimal nonce (up to 15 digits) such that SHA-256 of the ASCII string `<challenge>:<nonce>` begins with `bits` zero bits (about 2^bits tries; a fraction of a second on a phone), then send that string as the `x-proof-of-work` header of createHelpRequest before `expiresAt`. Each challenge is accepted once. No third party is involved.',
        response: { 200: Challenge },
      },
    },
    async (_request, reply) => {
      const issued = app.proofOfWork.issue();
      reply.header('cache-control', 'no-store');
      return {
        challenge: issued.challenge,
        bits: issued.bits,
        expiresAt: issued.expiresAt.toISOString(),
        algorithm: 'sha256-leading-zero-bits' as const,
      };
    },
  );
}
