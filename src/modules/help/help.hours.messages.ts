/** The hotline hours on the portal's /hotline page (help.hours.tsx): zh-CN first, English typed against it. */
export const hoursZh = {
  'help.hours.title': '热线值班时间（北京时间）',
  'help.hours.onDutyNow': '现在有律师值班。',
  'help.hours.closedNow': '现在没有律师值班。你可以在线求助或预约回电，我们会按你选的时间联系你。',
  'help.hours.none': '这一天没有值班',
  'help.hours.weekday.0': '星期一',
  'help.hours.weekday.1': '星期二',
  'help.hours.weekday.2': '星期三',
  'help.hours.weekday.3': '星期四',
  'help.hours.weekday.4': '星期五',
  'help.hours.weekday.5': '星期六',
  'help.hours.weekday.6': '星期日',
} as const;

export const hoursEn: Record<keyof typeof hoursZh, string> = {
  'help.hours.title': 'Hotline hours (China time)',
  'help.hours.onDutyNow': 'A lawyer is on duty now.',
  'help.hours.closedNow':
    'No lawyer is on duty now. You can ask for help online or book a call-back at a time you choose.',
  'help.hours.none': 'No hours this day',
  'help.hours.weekday.0': 'Monday',
  'help.hours.weekday.1': 'Tuesday',
  'help.hours.weekday.2': 'Wednesday',
  'help.hours.weekday.3': 'Thursday',
  'help.hours.weekday.4': 'Friday',
  'help.hours.weekday.5': 'Saturday',
  'help.hours.weekday.6': 'Sunday',
};

declare module '../../platform/i18n/catalog.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds this module's keys to MessageKey
  interface MessageCatalog extends Record<keyof typeof hoursZh, string> {}
}
