/** Messages of the case-code throttle page (help.throttle-admin.tsx). */
export const throttleAdminZh = {
  'help.throttleAdmin.title': '解除求助编号的等待',
  'help.throttleAdmin.lead':
    '错误的密码会让尝试的网络等待，但从不锁定编号。若她确认过暗号后仍说打不开自己的对话，可在这里解除这个编号在所有网络上的等待。此操作会记入审计记录。',
  'help.throttleAdmin.caseCode': '求助编号',
  'help.throttleAdmin.submit': '解除等待',
  'help.throttleAdmin.done': '已解除这个编号的等待。',
  'help.throttleAdmin.unknown': '没有这个求助编号。',
} as const;

export const throttleAdminEn: Record<keyof typeof throttleAdminZh, string> = {
  'help.throttleAdmin.title': 'Clear the waits on a case code',
  'help.throttleAdmin.lead':
    'Wrong secrets make the guessing network wait but never lock a case code. If, after her code word was confirmed, she says she still cannot open her thread, clear the waits on her code from every network here. This is recorded in the audit trail.',
  'help.throttleAdmin.caseCode': 'Case code',
  'help.throttleAdmin.submit': 'Clear the waits',
  'help.throttleAdmin.done': 'The waits on this case code were cleared.',
  'help.throttleAdmin.unknown': 'There is no help request with this case code.',
};

declare module '../../platform/i18n/catalog.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds this module's keys to MessageKey
  interface MessageCatalog extends Record<keyof typeof throttleAdminZh, string> {}
}
