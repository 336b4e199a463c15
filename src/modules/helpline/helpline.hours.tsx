/**
 * The hotline's hours as the portal shows them (`/hotline`): from the duty roster through
 * `app.helpline.dutyHours()`, merged across shifts, with no names. The help module renders this component:
 *
 * ```tsx
 * <HotlineHours hours={await app.helpline.dutyHours()} t={request.t} />
 * ```
 */
import type { MessageKey, MessageParams } from '../../platform/i18n/catalog.ts';
import type { DutyDay } from './helpline.model.ts';

export interface HotlineHoursData {
  onDutyNow: boolean;
  today: string;
  days: DutyDay[];
}

/** Monday = 0, as the roster counts. */
const weekdayOf = (date: string): number => (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;

export function HotlineHours({
  hours,
  t,
}: {
  hours: HotlineHoursData;
  t: (key: MessageKey, params?: MessageParams) => string;
}) {
  return (
    <section class="hotline-hours" aria-labelledby="hotline-hours-title">
      <h2 id="hotline-hours-title">{t('helpline.hours.title')}</h2>
      <p class={hours.onDutyNow ? 'ok' : 'note'}>
        {t(hours.onDutyNow ? 'helpline.hours.onDutyNow' : 'helpline.hours.closedNow')}
      </p>
      <dl class="case-facts">
        {hours.days.map((day) => (
          <>
            <dt>
              {t(`helpline.weekday.${weekdayOf(day.date)}` as MessageKey)} {day.date.slice(5)}
            </dt>
            <dd>
              {day.intervals.length
                ? day.intervals.map((i) => `${i.from}–${i.to}`).join('、')
                : t('helpline.hours.none')}
            </dd>
          </>
        ))}
      </dl>
    </section>
  );
}
