/**
 * The audit trail in words: one sentence per kind of event, `{actor}` the person or system who acted and
 * `{record}` the record it concerned (type and id). An event without its own sentence reads as the generic
 * `audit.sentence.other`. Used by the audit viewer page and GET /api/audit (audit-view.ts).
 */
export const auditSentencesZh = {
  'audit.sentence.other': '{actor}：{event}{record}',
  'audit.sentence.nobody': '未登录的访问者',
  'audit.sentence.onRecord': '（{record}）',
  'audit.sentence.identity.sign_in': '{actor} 登录了',
  'audit.sentence.identity.sign_in_failed': '{actor} 的一次登录尝试未通过',
  'audit.sentence.identity.sign_out': '{actor} 退出了登录',
  'audit.sentence.identity.session_expired': '{actor} 的登录因超时结束',
  'audit.sentence.identity.totp_enrolled': '{actor} 设置了两步验证',
  'audit.sentence.identity.recovery_code_used': '{actor} 使用了一个恢复码',
  'audit.sentence.identity.invitation_created': '{actor} 邀请了新账户{record}',
  'audit.sentence.identity.invitation_accepted': '{actor} 接受了邀请并设置了密码',
  'audit.sentence.identity.account_disabled': '{actor} 停用了账户{record}',
  'audit.sentence.identity.account_enabled': '{actor} 启用了账户{record}',
  'audit.sentence.identity.mfa_reset': '{actor} 重置了账户{record}的两步验证',
  'audit.sentence.identity.throttle_cleared': '{actor} 解除了账户{record}的登录等待',
  'audit.sentence.identity.roles_changed': '{actor} 更改了账户{record}的角色',
  'audit.sentence.identity.locale_changed': '{actor} 更改了界面语言',
  'audit.sentence.identity.organisation_created': '{actor} 创建了机构{record}',
  'audit.sentence.identity.passkey_added': '{actor} 添加了一个通行密钥',
  'audit.sentence.identity.passkey_removed': '{actor} 删除了一个通行密钥',
  'audit.sentence.access.break_glass_granted': '{actor} 以紧急调阅方式打开了{record}',
  'audit.sentence.access.break_glass': '{actor} 通过紧急调阅访问了{record}',
  'audit.sentence.record.read': '{actor} 查看了{record}',
  'audit.sentence.system.client_registered': '{actor} 登记了对接系统{record}',
  'audit.sentence.system.client_revoked': '{actor} 撤销了对接系统{record}',
  'audit.sentence.system.token_issued': '对接系统 {actor} 取得了访问令牌',
  'audit.sentence.system.call': '对接系统 {actor} 调用了接口{record}',
  'audit.sentence.webhooks.subscription_created': '{actor} 订阅了事件通知{record}',
  'audit.sentence.webhooks.subscription_removed': '{actor} 取消了事件通知订阅{record}',
  'audit.sentence.audit.viewed': '{actor} 查看了审计日志',
} as const;

export const auditSentencesEn: Record<keyof typeof auditSentencesZh, string> = {
  'audit.sentence.other': '{actor}: {event}{record}',
  'audit.sentence.nobody': 'A visitor who was not signed in',
  'audit.sentence.onRecord': ' ({record})',
  'audit.sentence.identity.sign_in': '{actor} signed in',
  'audit.sentence.identity.sign_in_failed': 'A sign-in attempt as {actor} failed',
  'audit.sentence.identity.sign_out': '{actor} signed out',
  'audit.sentence.identity.session_expired': '{actor}’s sign-in ended after a time-out',
  'audit.sentence.identity.totp_enrolled': '{actor} set up two-step verification',
  'audit.sentence.identity.recovery_code_used': '{actor} used a recovery code',
  'audit.sentence.identity.invitation_created': '{actor} invited a new account{record}',
  'audit.sentence.identity.invitation_accepted': '{actor} accepted their invitation and set a password',
  'audit.sentence.identity.account_disabled': '{actor} disabled the account{record}',
  'audit.sentence.identity.account_enabled': '{actor} enabled the account{record}',
  'audit.sentence.identity.mfa_reset': '{actor} reset two-step verification of the account{record}',
  'audit.sentence.identity.throttle_cleared': '{actor} cleared the sign-in waits on the account{record}',
  'audit.sentence.identity.roles_changed': '{actor} changed the roles of the account{record}',
  'audit.sentence.identity.locale_changed': '{actor} changed their language',
  'audit.sentence.identity.organisation_created': '{actor} created the organisation{record}',
  'audit.sentence.identity.passkey_added': '{actor} added a passkey',
  'audit.sentence.identity.passkey_removed': '{actor} removed a passkey',
  'audit.sentence.access.break_glass_granted': '{actor} broke the glass to open{record}',
  'audit.sentence.access.break_glass': '{actor} reached{record} by breaking the glass',
  'audit.sentence.record.read': '{actor} viewed{record}',
  'audit.sentence.system.client_registered': '{actor} registered the system client{record}',
  'audit.sentence.system.client_revoked': '{actor} revoked the system client{record}',
  'audit.sentence.system.token_issued': 'The system {actor} obtained an access token',
  'audit.sentence.system.call': 'The system {actor} called the API{record}',
  'audit.sentence.webhooks.subscription_created': '{actor} subscribed to event notices{record}',
  'audit.sentence.webhooks.subscription_removed': '{actor} removed an event notice subscription{record}',
  'audit.sentence.audit.viewed': '{actor} looked at the audit trail',
};

declare module '../../platform/i18n/catalog.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds this module's keys to MessageKey
  interface MessageCatalog extends Record<keyof typeof auditSentencesZh, string> {}
}
