/** A help request that passes every check of createHelpRequest, for tests that need one to be accepted. */
export const acceptableHelpRequest = {
  requestType: 'domestic_violence',
  narrative: '他昨晚又打了我。',
  province: '50',
  forms: ['physical'],
  contact: {
    channel: 'phone',
    phone: '13800138000',
    windows: [{ from: '09:00', to: '11:00' }],
    codeWord: '买菜',
    noVoicemail: true,
    noSms: true,
  },
  consentSensitive: true,
};
