/**
 * The hotline's hours as the portal shows them (`/hotline`): from the desk's duty roster through
 * `app.helpline.dutyHours()` (the helpline service), merged across shifts, with no names. Survivor code owns
 * this view and its words (help.hours.messages.ts); it imports nothing of the desk's (see
 * .dependency-cruiser.cjs):
 *
 * ```tsx
 * <HotlineHours hours={await app.helpline.dutyHours()} t={request.t} />
 * ```
 */
import type { MessageKey, MessageParams } from '../../platform/i18n/catalog.ts';

/** The hours the desk gives the portal: China-time days, each with its covered intervals. */
export interface HotlineHoursData {
  onDutyNow: boolean;
  today: string;
  days: { date: string; intervals: { from: string; to: string }[] }[];
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
      <h2 id="hotline-hours-title">{t('help.hours.title')}</h2>
      <p class={hours.onDutyNow ? 'ok' : 'note'}>
        {t(hours.onDutyNow ? 'help.hours.onDutyNow' : 'help.hours.closedNow')}
      </p>
      <dl class="case-facts">
        {hours.days.map((day) => (
          <>
            <dt>
              {t(`help.hours.weekday.${weekdayOf(day.date)}` as MessageKey)} {day.date.slice(5)}
            </dt>
            <dd>
              {day.intervals.length
                ? day.intervals.map((i) => `${i.from}–${i.to}`).join('、')
                : t('help.hours.none')}
            </dd>
          </>
        ))}
      </dl>
    </section>
  );
}
