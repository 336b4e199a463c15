/**
 * Words for deleting her data from her thread (issue 13, PIPL 47: "你可以随时要求删除"): what goes, what the law
 * makes the court keep, the separate choice to withdraw her consent to anonymous statistics, and the result.
 * Chinese first, in plain words; English mirrors every key.
 */
export const deletionZh = {
  'help.delete.link': '删除我的资料',
  'help.delete.title': '删除我的资料',
  'help.delete.lead':
    '你可以随时要求删除。确认后，我们会删除：你的求助、对话里的全部消息、你的记录和你上传的文件。社工那边的案件会关闭，笔记会删除。删除后无法恢复，案件编号和密码也不能再打开任何内容。',
  'help.delete.keeps':
    '法律要求法院保存的内容不会删除：你已经提交给法院的人身安全保护令申请（{count} 份）、法院的裁定和记录，以及随申请或违反保护令报告交给法院的文件（{files} 个）。这些内容由法院依法保存。',
  'help.delete.keepsNone': '你没有提交给法院的申请，所以不会为法院保留你的内容。',
  'help.delete.statistics': '同时撤回我对匿名统计的同意',
  'help.delete.statisticsHint':
    '不撤回时，只保留不能认出你的分类（例如求助类型、省份、年龄段），用于匿名统计。撤回后，你的求助不再计入任何统计数字。',
  'help.delete.confirmBox': '我明白删除后无法恢复',
  'help.delete.mustConfirm': '请先勾选“我明白删除后无法恢复”。',
  'help.delete.submit': '删除我的资料',
  'help.delete.cancel': '返回，不删除',
  'help.delete.doneTitle': '你的资料已删除',
  'help.delete.doneLead': '案件编号和密码已经不能再打开任何内容。如果你以后还需要帮助，可以随时重新求助。',
  'help.delete.doneStatistics': '你也撤回了对匿名统计的同意：你的求助不再计入统计数字。',
};

export const deletionEn: Record<keyof typeof deletionZh, string> = {
  'help.delete.link': 'Delete my data',
  'help.delete.title': 'Delete my data',
  'help.delete.lead':
    'You can ask us to delete your data at any time. Once you confirm, we delete your request for help, every message of the conversation, your journal and the files you uploaded. The caseworkers’ case is closed and their notes are deleted. This cannot be undone, and your case code and secret will no longer open anything.',
  'help.delete.keeps':
    'What the law makes the court keep is not deleted: the protection-order applications you filed with a court ({count}), the court’s rulings and records, and the files given to the court with an application or a violation report ({files}). The court keeps these as the law requires.',
  'help.delete.keepsNone':
    'You have not filed an application with a court, so nothing of yours is kept for a court.',
  'help.delete.statistics': 'Also withdraw my consent to anonymous statistics',
  'help.delete.statisticsHint':
    'If you do not withdraw it, only categories that cannot identify you (such as the type of request, the province and the age group) are kept, for anonymous statistics. If you withdraw it, your request is no longer counted in any figures.',
  'help.delete.confirmBox': 'I understand this cannot be undone',
  'help.delete.mustConfirm': 'Please tick “I understand this cannot be undone” first.',
  'help.delete.submit': 'Delete my data',
  'help.delete.cancel': 'Go back without deleting',
  'help.delete.doneTitle': 'Your data has been deleted',
  'help.delete.doneLead':
    'Your case code and secret no longer open anything. If you need help again later, you can ask for help at any time.',
  'help.delete.doneStatistics':
    'You also withdrew your consent to anonymous statistics: your request is no longer counted in any figures.',
};

declare module '../../platform/i18n/catalog.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds this module's keys to MessageKey
  interface MessageCatalog extends Record<keyof typeof deletionZh, string> {}
}
