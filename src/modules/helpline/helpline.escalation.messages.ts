/**
 * Words for the escalation of unclaimed cases (helpline.escalation.ts) on the desk's queue page. Chinese
 * first; English mirrors every key.
 */
export const escalationZh = {
  'helpline.escalation.toSupervisor': '已上报值班督导 {name}（{time}）',
  'helpline.escalation.toSupervisors': '已上报督导（当时无人值班，{time}）',
  'helpline.escalation.handedOver': '由 {desk} 移交（{time}）',
  'helpline.escalation.movedTitle': '已移交其他服务台的个案',
  'helpline.escalation.movedLead':
    '这些个案过了首次回应时限、上报督导后仍无人认领，已移交给后备服务台。你们已不能再打开它们。',
  'helpline.escalation.received': '收到时间',
  'helpline.escalation.movedAt': '移交时间',
  'helpline.escalation.toDesk': '移交给',
} as const;

export const escalationEn: Record<keyof typeof escalationZh, string> = {
  'helpline.escalation.toSupervisor': 'Escalated to the supervisor on duty, {name} ({time})',
  'helpline.escalation.toSupervisors': 'Escalated to the supervisors (nobody on duty then, {time})',
  'helpline.escalation.handedOver': 'Handed over from {desk} ({time})',
  'helpline.escalation.movedTitle': 'Moved to another desk',
  'helpline.escalation.movedLead':
    'These cases were still unclaimed after the first-response deadline and the supervisor’s alert, and were handed to a fallback desk. You can no longer open them.',
  'helpline.escalation.received': 'Received',
  'helpline.escalation.movedAt': 'Moved',
  'helpline.escalation.toDesk': 'Moved to',
};

declare module '../../platform/i18n/catalog.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds this module's keys to MessageKey
  interface MessageCatalog extends Record<keyof typeof escalationZh, string> {}
}
