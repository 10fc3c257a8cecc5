import { describe, expect, it } from 'vitest';
import { type ContractBlock, renderContractText, unknownPlaceholders } from './contract-text.js';

const VALUES = {
  'customer.name': '上海华信科技有限公司',
  'customer.uscc': '91310000MA1FL0XXXX',
  'customer.address': '上海市浦东新区张江路 88 号',
  'company.name': '北京客户软件有限公司',
  'company.address': '北京市海淀区中关村大街 1 号',
  'contract.number': 'HT-2026-0001',
  'contract.amount': '¥12,345.60',
  'contract.amountInWords': '壹万贰仟叁佰肆拾伍元陆角整',
  'contract.startOn': '2027-01-01',
  'contract.endOn': '2027-12-31',
  'contract.paymentTerms': '',
  'contract.paymentPlan': '',
};

/** The blocks as the reader sees them: paragraphs' text, and [lines] where the table goes. */
const read = (blocks: ContractBlock[]) =>
  blocks.map((b) => (b.kind === 'lines' ? '[lines]' : b.parts.map((p) => p.text).join('')));

describe('renderContractText', () => {
  it('fills every placeholder, spaces inside the braces allowed', () => {
    const text = `甲方：{{customer.name}}（{{ customer.uscc }}），地址 {{customer.address}}
合同编号 {{contract.number}}，金额 {{contract.amount}}（人民币{{contract.amountInWords}}），
期限 {{contract.startOn}} 至 {{contract.endOn}}。{{contract.paymentPlan}}`;
    expect(read(renderContractText(text, VALUES))).toEqual([
      `甲方：上海华信科技有限公司（91310000MA1FL0XXXX），地址 上海市浦东新区张江路 88 号
合同编号 HT-2026-0001，金额 ¥12,345.60（人民币壹万贰仟叁佰肆拾伍元陆角整），
期限 2027-01-01 至 2027-12-31。`,
    ]);
  });

  it('marks the filled-in values, and splits paragraphs at blank lines', () => {
    const blocks = renderContractText('Party A: {{customer.name}}\n\nNo. {{contract.number}}', VALUES);
    expect(blocks).toEqual([
      {
        kind: 'paragraph',
        parts: [
          { text: 'Party A: ', value: false },
          { text: '上海华信科技有限公司', value: true },
        ],
      },
      {
        kind: 'paragraph',
        parts: [
          { text: 'No. ', value: false },
          { text: 'HT-2026-0001', value: true },
        ],
      },
    ]);
  });

  it('puts the lines’ table where {{contract.lines}} stands, even inside a paragraph', () => {
    expect(
      read(renderContractText('第一条 标的\n{{contract.lines}}\n合计 {{contract.amount}}', VALUES)),
    ).toEqual(['第一条 标的', '[lines]', '合计 ¥12,345.60']);
  });

  it('leaves hostile template text as text: no code, no HTML, no lookups beyond the fixed set', () => {
    const hostile = [
      '<script>alert(1)</script>{{customer.name}}',
      '{{{customer.name}}}',
      '{{#each contract}}{{this}}{{/each}}',
      '{{constructor}} {{__proto__}} {{customer.constructor}} {{toString}}',
      "{{customer.name.length}} {{> partial}} {{lookup . 'x'}} {{customer.name}}}",
    ].join('\n\n');
    const out = read(renderContractText(hostile, VALUES));
    expect(out).toEqual([
      '<script>alert(1)</script>上海华信科技有限公司',
      '{上海华信科技有限公司}',
      '{{#each contract}}{{this}}{{/each}}',
      '{{constructor}} {{__proto__}} {{customer.constructor}} {{toString}}',
      "{{customer.name.length}} {{> partial}} {{lookup . 'x'}} 上海华信科技有限公司}",
    ]);
    expect(unknownPlaceholders(hostile)).toEqual([
      'this',
      'constructor',
      'customer.constructor',
      'toString',
      'customer.name.length',
    ]);
  });

  it('never reads a value’s own text as a template', () => {
    const sneaky = { ...VALUES, 'customer.name': '{{contract.number}} <b>x</b>' };
    expect(read(renderContractText('{{customer.name}}', sneaky))).toEqual(['{{contract.number}} <b>x</b>']);
  });
});
