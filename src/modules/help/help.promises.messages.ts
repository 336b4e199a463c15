/**
 * Words for the promises the survivor pages make (issue 13): who answered her, the gender list's empty choice,
 * clear refusals (a late opinion), leaving without a trace, a child's path and deleting her data.
 * Chinese first, in plain words; English mirrors every key.
 */
export const promisesZh = {
  'help.form.choose': '请选择',
  'help.thread.caseworker': '社工',
  'help.thread.staffOther': '工作人员',
  'orders.problem.opinionLate': '法院已经对这份申请作出决定，意见不能再提交。',
  'help.child.title': '告诉我们发生了什么',
  'help.child.lead': '这里是给还没满 18 岁的你的。你不用写名字，也不用留电话。',
  'help.child.narrative': '发生了什么？',
  'help.child.narrativeHint':
    '用你自己的话写就行，写多写少都可以。比如：谁伤害了你，什么时候，你现在安全吗。',
  'help.child.age': '你几岁？',
  'help.child.under14': '还不到 14 岁',
  'help.child.from14': '14 岁到 17 岁',
  'help.child.skip': '（可以不回答）',
  'help.child.consentTitle': '你写的话会怎么样',
  'help.child.whoSees':
    '谁会看到：只有帮助你的律师和社工会看。我们会把它锁好（加密），不会给你的家人、老师或同学看。',
  'help.child.whatNext':
    '接下来：律师或社工会在这个网站上回复你。你用求助编号和 5 个词回来看回复。我们不会打电话或发短信给你。',
  'help.child.police':
    '如果你有危险，法律要求我们告诉警察，让警察来保护你。如果伤害你的是爸爸妈妈，我们不会联系他们。',
  'help.child.delete': '你以后可以让我们把你写的东西都删掉。',
  'help.child.consent': '我明白了，我同意把我写的话交给安心的律师和社工',
  'help.child.consentNeeded': '请先勾选“我同意”，这样我们才能收下你写的话',
  'help.child.submit': '发送',
  'help.child.link': '给孩子的求助页（更简单）',
  'help.child.created.title': '我们收到了',
  'help.child.created.lead': '你做得很好。请记住下面的编号和 5 个词，回来看回复时要用。',
  'help.child.created.words': '你的 5 个词',
  'help.child.created.keep': '只显示这一次。记在心里，或者抄在只有你知道的地方。不要告诉伤害你的人。',
  'layout.hideVisit': '怎样不留下访问记录',
  'help.hide.title': '怎样不留下访问记录',
  'help.hide.lead': '如果别人可能会看你的手机，可以这样做。做完后，别人在手机上不容易看出你来过这里。',
  'help.hide.quickTitle': '“快速离开”按钮',
  'help.hide.quick':
    '每一页的右下角都有红色的“快速离开”按钮。点它会马上打开一个天气网站，并清除本站留在手机上的东西。之后按“返回”不会回到本站。',
  'help.hide.privateTitle': '最好：用无痕（隐私）模式打开',
  'help.hide.private':
    '无痕模式不会记下你看过的网页。Chrome：点右上角“⋮”→“新的无痕式标签页”。华为、小米、vivo、OPPO 自带浏览器、QQ浏览器、UC浏览器：在菜单里找“无痕浏览”或“隐私模式”。用完关掉这个窗口就行。',
  'help.hide.wechatTitle': '在微信里打开的',
  'help.hide.wechat':
    '微信不会把网页记在“浏览记录”里，但打开链接的聊天、收藏、浮窗和“搜一搜”的搜索记录会留下。删掉发来链接的那条消息；如果点过“浮窗”或“收藏”，把它们删掉；在“搜一搜”里清除搜索记录。也可以在“我 → 设置 → 通用 → 存储空间”里清理缓存。',
  'help.hide.androidTitle': '在安卓手机的浏览器里',
  'help.hide.android':
    'Chrome：点“⋮”→“历史记录”，删除本站的记录，或选“清除浏览数据”。华为、小米、vivo、OPPO 自带浏览器、QQ浏览器、UC浏览器：在菜单里找“历史”，删除本站的记录；在“设置”里找“清除数据”或“清除记录”。',
  'help.hide.moreTitle': '还要注意',
  'help.hide.more':
    '输入法会记住你打过的字，可以在输入法设置里清除“记忆”或“词库”。不要把求助编号和密码存在手机里，抄在只有你知道的地方。如果你有危险，请马上打 110。',
} as const;

export type PromisesMessageKey = keyof typeof promisesZh;

export const promisesEn: Record<PromisesMessageKey, string> = {
  'help.form.choose': 'Choose',
  'help.thread.caseworker': 'Caseworker',
  'help.thread.staffOther': 'Staff',
  'orders.problem.opinionLate':
    'The court has already decided this application; the opinion can no longer be submitted.',
  'help.child.title': 'Tell us what happened',
  'help.child.lead':
    'This page is for you if you are under 18. You do not need to give your name or a phone number.',
  'help.child.narrative': 'What happened?',
  'help.child.narrativeHint':
    'Write it in your own words, short or long. For example: who hurt you, when, and whether you are safe now.',
  'help.child.age': 'How old are you?',
  'help.child.under14': 'Under 14',
  'help.child.from14': '14 to 17',
  'help.child.skip': '(you can skip this)',
  'help.child.consentTitle': 'What happens to what you write',
  'help.child.whoSees':
    'Who will see it: only the lawyers and social workers who help you. We lock it away (encrypted) and do not show it to your family, teachers or classmates.',
  'help.child.whatNext':
    'What happens next: a lawyer or social worker answers you on this website. Come back with your case code and your 5 words to read it. We will not phone you or send you texts.',
  'help.child.police':
    'If you are in danger, the law says we must tell the police so they can protect you. If your mum or dad hurts you, we will not contact them.',
  'help.child.delete': 'Later you can ask us to delete everything you wrote.',
  'help.child.consent':
    'I understand, and I agree to give what I wrote to Anxin’s lawyers and social workers',
  'help.child.consentNeeded': 'please tick “I agree” first, so that we can take what you wrote',
  'help.child.submit': 'Send',
  'help.child.link': 'Help page for children (simpler)',
  'help.child.created.title': 'We got your message',
  'help.child.created.lead':
    'You did well. Remember the code and the 5 words below: you need them to read the answer.',
  'help.child.created.words': 'Your 5 words',
  'help.child.created.keep':
    'They are shown only this once. Keep them in your head, or write them where only you will find them. Do not tell the person who hurts you.',
  'layout.hideVisit': 'How to hide this visit',
  'help.hide.title': 'How to hide this visit',
  'help.hide.lead':
    'If someone may look at your phone, you can do this. Afterwards it is hard for anyone to see on the phone that you were here.',
  'help.hide.quickTitle': 'The “Quick exit” button',
  'help.hide.quick':
    'Every page has the red “Quick exit” button at the bottom right. Tap it to open a weather site at once and clear what this site left on the phone. Pressing Back afterwards does not return here.',
  'help.hide.privateTitle': 'Best: open it in private (incognito) mode',
  'help.hide.private':
    'Private mode does not remember the pages you read. Chrome: tap “⋮” at the top right → “New incognito tab”. The browsers of Huawei, Xiaomi, vivo and OPPO, QQ Browser and UC Browser: look in the menu for “Incognito” or “Private mode”. Close the window when you are done.',
  'help.hide.wechatTitle': 'Opened inside WeChat',
  'help.hide.wechat':
    'WeChat does not keep a list of the web pages you opened, but the chat the link came from, Favorites, Floating windows and the search history of “Search” do. Delete the message with the link; remove the page from Floating windows or Favorites if you used them; clear the search history in “Search”. You can also clear the cache in “Me → Settings → General → Storage”.',
  'help.hide.androidTitle': 'In a browser on an Android phone',
  'help.hide.android':
    'Chrome: tap “⋮” → “History” and delete this site, or choose “Clear browsing data”. The browsers of Huawei, Xiaomi, vivo and OPPO, QQ Browser and UC Browser: find “History” in the menu and delete this site; in “Settings” look for “Clear data” or “Clear history”.',
  'help.hide.moreTitle': 'Also',
  'help.hide.more':
    'Your keyboard app remembers words you typed: clear its “learned words” in its settings. Do not keep your case code and secret on the phone; write them where only you will find them. If you are in danger, call 110 now.',
};

declare module '../../platform/i18n/catalog.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds this module's keys to MessageKey
  interface MessageCatalog extends Record<keyof typeof promisesZh, string> {}
}
