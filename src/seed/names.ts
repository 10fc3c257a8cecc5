/** Word lists for demo data: realistic Chinese and English customers, people and places. */
export const REGIONS: { province: string; cities: { city: string; districts: string[] }[] }[] = [
  { province: '北京市', cities: [{ city: '北京市', districts: ['朝阳区', '海淀区', '东城区', '丰台区'] }] },
  { province: '上海市', cities: [{ city: '上海市', districts: ['浦东新区', '徐汇区', '静安区', '闵行区'] }] },
  {
    province: '广东省',
    cities: [
      { city: '广州市', districts: ['天河区', '越秀区', '番禺区'] },
      { city: '深圳市', districts: ['南山区', '福田区', '宝安区'] },
    ],
  },
  {
    province: '浙江省',
    cities: [
      { city: '杭州市', districts: ['西湖区', '滨江区', '余杭区'] },
      { city: '宁波市', districts: ['鄞州区', '海曙区'] },
    ],
  },
  {
    province: '江苏省',
    cities: [
      { city: '南京市', districts: ['鼓楼区', '建邺区'] },
      { city: '苏州市', districts: ['姑苏区', '工业园区'] },
    ],
  },
  { province: '四川省', cities: [{ city: '成都市', districts: ['武侯区', '锦江区', '高新区'] }] },
];
export const CITY_PREFIX: Record<string, string> = {
  北京市: '北京',
  上海市: '上海',
  广州市: '广州',
  深圳市: '深圳',
  杭州市: '杭州',
  宁波市: '宁波',
  南京市: '南京',
  苏州市: '苏州',
  成都市: '成都',
};
export const BRANDS = [
  '华信',
  '东方',
  '瑞丰',
  '恒通',
  '金泰',
  '宏达',
  '远航',
  '博创',
  '新锐',
  '天成',
  '嘉禾',
  '鼎盛',
  '中科',
  '华源',
  '明德',
  '永安',
  '正和',
  '汇通',
  '安捷',
  '星辰',
  '蓝海',
  '智远',
  '同舟',
  '锦程',
  '长青',
  '九州',
  '德润',
  '卓越',
  '海纳',
  '启明',
];
/** Trade words of company names, each with its GB/T 4754-2017 section (customer.options.ts INDUSTRIES). */
export const TRADES: { word: string; industry: string }[] = [
  { word: '科技', industry: 'I' },
  { word: '信息技术', industry: 'I' },
  { word: '机械制造', industry: 'C' },
  { word: '电子', industry: 'C' },
  { word: '贸易', industry: 'F' },
  { word: '商贸', industry: 'F' },
  { word: '物流', industry: 'G' },
  { word: '建设工程', industry: 'E' },
  { word: '医疗器械', industry: 'C' },
  { word: '教育咨询', industry: 'P' },
  { word: '食品', industry: 'C' },
  { word: '新能源', industry: 'D' },
  { word: '农业发展', industry: 'A' },
  { word: '企业管理咨询', industry: 'L' },
];
export const FORMS = ['有限公司', '股份有限公司', '有限责任公司', '集团有限公司'];
export const ENGLISH_COMPANIES = [
  'Northwind Trading',
  'Blue Harbor Logistics',
  'Pinecrest Medical',
  'Summit Robotics',
  'Evergreen Foods',
  'Silverline Energy',
  'Brightpath Education',
  'Redwood Construction',
  'Oakridge Components',
  'Harborview Retail',
  'Lakeside Software',
  'Crescent Textiles',
];
export const ENGLISH_FORMS = ['Co., Ltd.', 'Ltd.', 'Inc.', 'Group'];
export const SURNAMES = [
  '王',
  '李',
  '张',
  '刘',
  '陈',
  '杨',
  '黄',
  '赵',
  '吴',
  '周',
  '徐',
  '孙',
  '马',
  '朱',
  '胡',
  '郭',
  '何',
  '林',
  '高',
  '罗',
];
export const GIVEN = [
  '伟',
  '芳',
  '娜',
  '敏',
  '静',
  '磊',
  '洋',
  '勇',
  '艳',
  '杰',
  '娟',
  '涛',
  '明',
  '超',
  '秀英',
  '丽',
  '强',
  '平',
  '刚',
  '桂英',
  '建华',
  '晓东',
  '海燕',
  '志强',
];
export const ENGLISH_PEOPLE = [
  'Emma Wilson',
  'James Carter',
  'Olivia Brown',
  'Liam Turner',
  'Sophia Hall',
  'Noah Evans',
  'Mia Clarke',
  'Lucas Wright',
];
export const TITLES = [
  '总经理',
  '采购经理',
  '技术总监',
  '财务经理',
  '行政主管',
  '销售总监',
  '运营经理',
  'IT 负责人',
];
/**
 * Follow-up texts of the demo, per language of the customer (an English-named company is written to
 * in English, every other in Chinese) and, for the summary, per method: a call's text describes a call.
 */
export const FOLLOW_UP_TEXTS = {
  zh: {
    summaries: {
      phone: [
        '电话沟通了年度采购计划，客户对新版本感兴趣。',
        '电话确认了报价细节，客户希望再优惠一些。',
        '致电了解试用情况，客户反馈良好。',
      ],
      visit: [
        '上门拜访，演示了产品，采购经理提出价格问题。',
        '到客户工厂实地查看，和 IT 负责人讨论了对接方案。',
        '拜访客户总部，见了总经理，介绍了成功案例。',
      ],
      email: [
        '发送了产品资料和案例，等待反馈。',
        '邮件发送了修改后的报价单。',
        '邮件回复了客户关于实施周期的问题。',
      ],
      wechat: ['微信跟进报价单，客户说下周内部讨论。', '微信发送了演示视频，客户说会转给技术团队。'],
      meeting: ['会议讨论了实施方案和交付时间。', '视频会议和财务部确认了付款方式。'],
    },
    promises: [
      '承诺下单后两周内完成上线培训。',
      '答应免费提供一次现场巡检。',
      '承诺报价有效期延长至月底。',
      '承诺首月安排专人对接售后。',
    ],
    nextActions: [
      '发送正式报价',
      '安排技术交流',
      '跟进合同条款',
      '与财务部约演示',
      '确认采购预算',
      '发送案例资料',
    ],
  },
  en: {
    summaries: {
      phone: [
        'Called about the renewal; they want a volume discount.',
        'Called to check on the trial; feedback is good.',
      ],
      visit: [
        'Visited the plant, met the IT lead, walked through the integration.',
        'Visited their head office and showed the demo to the purchasing manager.',
      ],
      email: ['Sent the revised quote by e-mail.', 'E-mailed the product brochure and two case studies.'],
      wechat: ['Followed up on the quote over WeChat; they will discuss it next week.'],
      meeting: ['Met to go through the rollout plan and delivery dates.'],
    },
    promises: [
      'Promised a dedicated support contact for the first month.',
      'Promised on-site training within two weeks of the order.',
    ],
    nextActions: [
      'Send the formal quote',
      'Book a demo with the finance team',
      'Confirm the budget',
      'Send the case study',
    ],
  },
} as const;

/** Notes (备注) some demo customers carry, in the customer's language. */
export const NOTES = {
  zh: [
    '财务每月 25 日后才处理付款，催款安排在月底前。',
    '老板是展会上认识的，习惯微信沟通，不接陌生电话。',
    '采购需走招标流程，报价需提前两周提交。',
    '仓库在郊区，上门前先与前台确认门禁。',
    '去年因交付延期投诉过一次，沟通时注意语气。',
  ],
  en: [
    'Accounts pays only after the 25th; chase invoices before month end.',
    'Prefers e-mail; the buyer is in the office Tuesday to Thursday.',
    'Purchases go through a tender: quotes two weeks ahead.',
  ],
};
