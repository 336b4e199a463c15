/**
 * The queue page's view of escalations (helpline.escalation.ts): the badge on an escalated case ("escalated to
 * the supervisor on duty … at …", "handed over from … at …") and the list of cases moved to another desk.
 */
import type { FastifyRequest } from 'fastify';
import type { EscalationState, MovedCase } from './helpline.escalation.ts';

function when(request: FastifyRequest, at: Date): string {
  return new Intl.DateTimeFormat(request.locale === 'en' ? 'en-GB' : 'zh-CN', {
    timeZone: 'Asia/Shanghai',
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(at);
}

export function EscalationBadge({
  request,
  escalation,
}: {
  request: FastifyRequest;
  escalation: EscalationState | null;
}) {
  if (!escalation) return null;
  return (
    <>
      {' '}
      <strong class="badge breach">
        {escalation.supervisor
          ? request.t('helpline.escalation.toSupervisor', {
              name: escalation.supervisor.name,
              time: when(request, escalation.supervisorAlertedAt),
            })
          : escalation.handedOverAt && escalation.fromDesk
            ? request.t('helpline.escalation.handedOver', {
                desk: escalation.fromDesk,
                time: when(request, escalation.handedOverAt),
              })
            : request.t('helpline.escalation.toSupervisors', {
                time: when(request, escalation.supervisorAlertedAt),
              })}
      </strong>
    </>
  );
}

export function MovedAway({ request, moved }: { request: FastifyRequest; moved: MovedCase[] }) {
  if (moved.length === 0) return null;
  return (
    <section aria-labelledby="moved-away">
      <h2 id="moved-away">{request.t('helpline.escalation.movedTitle')}</h2>
      <p>{request.t('helpline.escalation.movedLead')}</p>
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">{request.t('helpline.escalation.received')}</th>
              <th scope="col">{request.t('helpline.escalation.movedAt')}</th>
              <th scope="col">{request.t('helpline.escalation.toDesk')}</th>
            </tr>
          </thead>
          <tbody>
            {moved.map((m) => (
              <tr>
                <td data-label={request.t('helpline.escalation.received')}>{when(request, m.receivedAt)}</td>
                <td data-label={request.t('helpline.escalation.movedAt')}>{when(request, m.movedAt)}</td>
                <td data-label={request.t('helpline.escalation.toDesk')}>{m.toDesk}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
