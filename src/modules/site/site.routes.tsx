/**
 * The public front page: the first steps for someone in danger, the way into the survivor portal (help
 * request, her thread, self-assessment, knowledge, hotline, directory) and the plain-titles choice.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { sendPage } from '../../platform/render/page.tsx';
import { PortalNav } from '../help/help.pages.tsx';
import { portal } from '../help/help.views.tsx';

export function siteRoutes(app: FastifyInstance): void {
  app.get(
    '/',
    {
      config: { access: { public: true, reason: 'the survivor front page must be open to everyone' } },
      schema: { hide: true, querystring: Type.Object({ n: Type.Optional(Type.Literal('1')) }) },
    },
    async (request, reply) => {
      // Usage counting belongs to the help module; it is registered after this one, so look it up per request.
      if (app.hasDecorator('helpUsage')) app.helpUsage.pageView(request);
      const p = portal(request);
      const t = p.t;
      return sendPage(request, reply, {
        title: t('home.title'),
        neutralTitle: p.neutral,
        body: (
          <>
            <h1>{t('home.title')}</h1>
            <p class="lead">{t('home.lead')}</p>
            <div class="callout" role="note">
              <p>
                <strong>{t('home.emergency')}</strong>
              </p>
              <p>
                <a class="button danger" href="tel:110">
                  {t('home.callPolice')}
                </a>
              </p>
            </div>
            <p class="actions">
              <a class="button" href={p.href('/help/new')}>
                {t('help.home.start')}
              </a>
              <a class="button secondary" href={p.href('/help/thread')}>
                {t('help.home.haveCode')}
              </a>
            </p>
            <h2>{t('home.whatWeDo')}</h2>
            <ul class="cards">
              <li>
                <a href={p.href('/learn/domestic-violence')}>{t('home.learn')}</a>
              </li>
              <li>
                <a href={p.href('/help/new')}>{t('home.ask')}</a>
              </li>
              <li>
                <a href={p.href('/learn/protection-order')}>{t('home.order')}</a>
              </li>
            </ul>
            <p class="note">{t('help.home.safety')}</p>
            <p>{t('home.privacy')}</p>
            <PortalNav p={p} />
            <p class="hint">
              <a href={p.neutral ? request.localePath('/') : `${request.localePath('/')}?n=1`}>
                {p.neutral ? t('help.neutral.off') : t('help.neutral.on')}
              </a>
              {' — '}
              {t('help.neutral.hint')}
            </p>
          </>
        ),
      });
    },
  );
}
