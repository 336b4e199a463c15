/**
 * The protection order as a PDF in Chinese, laid out as a civil ruling (民事裁定书): court, title, case number,
 * parties, facts found, the ruling with its measures, validity, the warning of ADVL 34, reconsideration (ADVL 31),
 * signature block, and a QR code to the public check page. pdfkit and Noto Sans SC load on the first document
 * (platform/pdf.ts). The respondent's copy never carries the applicant's address or phone.
 */
import QRCode from 'qrcode';
import { loadPdfKit } from '../../platform/pdf.ts';
import { chineseDate, type Measure } from './orders.model.ts';

export const MEASURE_TEXT: Record<Measure, string> = {
  no_violence: '禁止被申请人对申请人实施家庭暴力',
  no_contact: '禁止被申请人骚扰、跟踪、接触申请人及其相关近亲属',
  move_out: '责令被申请人迁出申请人住所',
  no_insults: '禁止被申请人以电话、短信、即时通讯工具、电子邮件等方式侮辱、诽谤、威胁申请人及其相关近亲属',
  keep_away:
    '禁止被申请人在申请人及其相关近亲属的住所、学校、工作单位等经常出入场所的一定范围内从事可能影响其正常生活、学习、工作的活动',
  other: '其他保护申请人人身安全的措施',
};

const RELATIONSHIP_TEXT: Record<string, string> = {
  spouse: '夫妻',
  former_spouse: '前配偶',
  partner: '同居伴侣',
  former_partner: '前同居伴侣',
  parent: '父母子女',
  child: '父母子女',
  in_law: '姻亲',
  sibling: '兄弟姐妹',
  guardian: '监护关系',
  cohabitant: '共同生活的人',
  other_family: '其他家庭成员',
};

export type OrderCopy = 'court' | 'applicant' | 'respondent' | 'police' | 'committee';

export interface OrderDocumentData {
  courtName: string;
  caseNumber: string;
  applicant: { name: string; gender?: string; birthYear?: number; address?: string; phone?: string };
  respondent: { name: string; gender?: string; birthYear?: number; idNumber?: string; address?: string };
  relationship: string;
  factsFound: string;
  measures: Measure[];
  otherMeasure?: string;
  keepAwayMetres?: number;
  keepAwayPlaces?: string;
  terms?: string;
  validFrom: Date;
  validUntil: Date;
  checkUrl: string;
  copy: OrderCopy;
}

const GENDER: Record<string, string> = { female: '女', male: '男', other: '' };

function personLine(label: string, p: { name: string; gender?: string; birthYear?: number }): string {
  const parts = [`${label}：${p.name}`];
  if (p.gender && GENDER[p.gender]) parts.push(GENDER[p.gender] ?? '');
  if (p.birthYear) parts.push(`${p.birthYear}年出生`);
  return parts.join('，') + '。';
}

/** The copy's address lines: the respondent's copy (and the police's, which may be shown to him) omits hers. */
export function showsApplicantAddress(copy: OrderCopy): boolean {
  return copy === 'court' || copy === 'applicant';
}

export async function renderOrderPdf(data: OrderDocumentData): Promise<Buffer> {
  const { PDFDocument, fonts } = await loadPdfKit();
  const { regular, bold } = fonts;
  const qr = await QRCode.toBuffer(data.checkUrl, { errorCorrectionLevel: 'M', margin: 1, width: 240 });
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 72, bottom: 64, left: 80, right: 80 },
    info: { Title: `人身安全保护令 ${data.caseNumber}`, Author: data.courtName },
  });
  doc.registerFont('cjk', regular);
  doc.registerFont('cjk-bold', bold);
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const width = doc.page.width - 160;
  const paragraph = (text: string, options: { indent?: boolean; gap?: number } = {}) => {
    doc
      .font('cjk')
      .fontSize(12)
      .text(text, { width, lineGap: 6, align: 'left', indent: options.indent === false ? 0 : 24 });
    doc.moveDown(options.gap ?? 0.3);
  };

  doc.font('cjk-bold').fontSize(20).text(data.courtName, { align: 'center', width });
  doc.moveDown(0.4);
  doc.font('cjk-bold').fontSize(24).text('人身安全保护令', { align: 'center', width, characterSpacing: 4 });
  doc.moveDown(0.3);
  doc.font('cjk').fontSize(12).text('（民事裁定书）', { align: 'center', width });
  doc.moveDown(0.5);
  doc.font('cjk').fontSize(13).text(data.caseNumber, { align: 'right', width });
  doc.moveDown(0.8);

  paragraph(personLine('申请人', data.applicant), { indent: false, gap: 0.1 });
  if (showsApplicantAddress(data.copy) && data.applicant.address)
    paragraph(`住所：${data.applicant.address}。`, { indent: false, gap: 0.1 });
  paragraph(personLine('被申请人', data.respondent), { indent: false, gap: 0.1 });
  if (data.respondent.idNumber)
    paragraph(`公民身份号码：${data.respondent.idNumber}。`, { indent: false, gap: 0.1 });
  if (data.respondent.address) paragraph(`住所：${data.respondent.address}。`, { indent: false, gap: 0.1 });
  paragraph(`申请人与被申请人系${RELATIONSHIP_TEXT[data.relationship] ?? '家庭成员'}关系。`, {
    indent: false,
    gap: 0.6,
  });

  paragraph(`申请人${data.applicant.name}向本院申请人身安全保护令。本院受理后，依法进行了审查。`);
  paragraph(
    `本院经审查认为，${data.factsFound}申请人遭受家庭暴力或者面临家庭暴力的现实危险，其申请符合发出人身安全保护令的条件。依照《中华人民共和国反家庭暴力法》第二十三条、第二十七条、第二十八条、第二十九条规定，裁定如下：`,
  );
  doc.moveDown(0.2);
  let n = 1;
  const numerals = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];
  const item = (text: string) => {
    paragraph(`${numerals[n - 1] ?? String(n)}、${text}；`);
    n += 1;
  };
  for (const measure of data.measures) {
    if (measure === 'keep_away')
      item(
        `${MEASURE_TEXT.keep_away}（距离：${data.keepAwayMetres ?? 200}米；场所：${data.keepAwayPlaces ?? '申请人住所、工作单位'}）`,
      );
    else if (measure === 'other') item(data.otherMeasure ?? MEASURE_TEXT.other);
    else item(MEASURE_TEXT[measure]);
  }
  if (data.terms) item(data.terms);
  paragraph(`本裁定自${chineseDate(data.validFrom)}起生效，有效期至${chineseDate(data.validUntil)}止。`);
  paragraph(
    '被申请人违反人身安全保护令，构成犯罪的，依法追究刑事责任；尚不构成犯罪的，人民法院应当给予训诫，可以根据情节轻重处以一千元以下罚款、十五日以下拘留。',
  );
  paragraph('如不服本裁定，可以自裁定生效之日起五日内向本院申请复议一次。复议期间不停止裁定的执行。');
  paragraph(
    '本裁定送达申请人、被申请人，并抄送被申请人住所地或者经常居住地公安机关以及居民委员会、村民委员会，由其协助执行。',
  );
  doc.moveDown(1);
  doc.font('cjk').fontSize(12).text('审判员', { width, align: 'right', characterSpacing: 6 });
  doc.moveDown(0.3);
  doc.text(chineseDate(data.validFrom), { width, align: 'right' });
  doc.moveDown(0.3);
  doc.text('（本件与原本核对无异）', { width, align: 'right' });

  const qrSize = 96;
  // The QR block and the copy label sit at the foot of the last page; never let them push a new page.
  if (doc.y + 16 + qrSize > doc.page.height - 40) doc.addPage();
  doc.page.margins.bottom = 0;
  const y = doc.y + 16;
  doc.image(qr, 80, y, { width: qrSize, height: qrSize });
  doc
    .font('cjk')
    .fontSize(9)
    .text('扫码核验本保护令是否有效', 80 + qrSize + 12, y + 30, {
      width: width - qrSize - 12,
      lineBreak: false,
    });
  doc.text(data.checkUrl, 80 + qrSize + 12, y + 46, { width: width - qrSize - 12 });
  const copyLabel: Record<OrderCopy, string> = {
    court: '本院存档',
    applicant: '申请人收执',
    respondent: '被申请人收执',
    police: '公安机关协助执行',
    committee: '居（村）民委员会协助执行',
  };
  doc
    .fontSize(9)
    .text(copyLabel[data.copy], 80, doc.page.height - 30, { width, align: 'center', lineBreak: false });
  doc.end();
  return done;
}
