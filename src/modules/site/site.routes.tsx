/** The public front page: what Anxin is, and the first steps for someone in danger. */
import type { FastifyInstance } from 'fastify';
import { sendPage } from '../../platform/render/page.tsx';

export function siteRoutes(app: FastifyInstance): void {
  app.get(
    '/',
    {
      config: { access: { public: true, reason: 'the survivor front page must be open to everyone' } },
      schema: { hide: true },
    },
    async (request, reply) =>
      sendPage(request, reply, {
        title: request.t('home.title'),
        body: (
          <>
            <h1>{request.t('home.title')}</h1>
            <p class="lead">{request.t('home.lead')}</p>
            <div class="callout" role="note">
              <p>
                <strong>{request.t('home.emergency')}</strong>
              </p>
              <p>
                <a class="button" href="tel:110">
                  {request.t('home.callPolice')}
                </a>
              </p>
            </div>
            <h2>{request.t('home.whatWeDo')}</h2>
            <ul class="cards">
              <li>{request.t('home.learn')}</li>
              <li>{request.t('home.ask')}</li>
              <li>{request.t('home.order')}</li>
            </ul>
            <p>{request.t('home.privacy')}</p>
          </>
        ),
      }),
  );
}
