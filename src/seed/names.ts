/** Word lists for demo data: realistic Chinese and English customers, people and places. */
export const REGIONS: { province: string; cities: { city: string; districts: string[] }[] }[] = [
  { province: '北京市', cities: [{ city: '北京市', districts: ['朝阳区', '海淀区', '东城区', '丰台区'] }] },
  { province: '上海市', cities: [{ city: '上海市', districts: ['浦东新区', '徐汇区', '静安区', '闵行区'] }] },
  { province: '广东省', cities: [{ city: '广州市', districts: ['天河区', '越秀区', '番禺区'] }, { city: '深圳市', districts: ['南山区', '福田区', '宝安区'] }] },
  { province: '浙江省', cities: [{ city: '杭州市', districts: ['西湖区', '滨江区', '余杭区'] }, { city: '宁波市', districts: ['鄞州区', '海曙区'] }] },
  { province: '江苏省', cities: [{ city: '南京市', districts: ['鼓楼区', '建邺区'] }, { city: '苏州市', districts: ['姑苏区', '工业园区'] }] },
  { province: '四川省', cities: [{ city: '成都市', districts: ['武侯区', '锦江区', '高新区'] }] },
];
export const CITY_PREFIX: Record<string, string> = {
  北京市: '北京', 上海市: '上海', 广州市: '广州', 深圳市: '深圳', 杭州市: '杭州', 宁波市: '宁波', 南京市: '南京', 苏州市: '苏州', 成都市: '成都',
};
export const BRANDS = [
  '华信', '东方', '瑞丰', '恒通', '金泰', '宏达', '远航', '博创', '新锐', '天成', '嘉禾', '鼎盛', '中科', '华源', '明德',
  '永安', '正和', '汇通', '安捷', '星辰', '蓝海', '智远', '同舟', '锦程', '长青', '九州', '德润', '卓越', '海纳', '启明',
];
export const TRADES: { word: string; industry: string }[] = [
  { word: '科技', industry: 'it' }, { word: '信息技术', industry: 'it' }, { word: '机械制造', industry: 'manufacturing' },
  { word: '电子', industry: 'manufacturing' }, { word: '贸易', industry: 'wholesale' }, { word: '商贸', industry: 'retail' },
  { word: '物流', industry: 'logistics' }, { word: '建设工程', industry: 'construction' }, { word: '医疗器械', industry: 'healthcare' },
  { word: '教育咨询', industry: 'education' }, { word: '食品', industry: 'food' }, { word: '新能源', industry: 'energy' },
  { word: '农业发展', industry: 'agriculture' }, { word: '企业管理咨询', industry: 'services' },
];
export const FORMS = ['有限公司', '股份有限公司', '有限责任公司', '集团有限公司'];
export const ENGLISH_COMPANIES = [
  'Northwind Trading', 'Blue Harbor Logistics', 'Pinecrest Medical', 'Summit Robotics', 'Evergreen Foods', 'Silverline Energy',
  'Brightpath Education', 'Redwood Construction', 'Oakridge Components', 'Harborview Retail', 'Lakeside Software', 'Crescent Textiles',
];
export const ENGLISH_FORMS = ['Co., Ltd.', 'Ltd.', 'Inc.', 'Group'];
export const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '林', '高', '罗'];
export const GIVEN = ['伟', '芳', '娜', '敏', '静', '磊', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀英', '丽', '强', '平', '刚', '桂英', '建华', '晓东', '海燕', '志强'];
export const ENGLISH_PEOPLE = ['Emma Wilson', 'James Carter', 'Olivia Brown', 'Liam Turner', 'Sophia Hall', 'Noah Evans', 'Mia Clarke', 'Lucas Wright'];
export const TITLES = ['总经理', '采购经理', '技术总监', '财务经理', '行政主管', '销售总监', '运营经理', 'IT 负责人'];
export const SUMMARIES = [
  '电话沟通了年度采购计划，客户对新版本感兴趣。', '上门拜访，演示了产品，采购经理提出价格问题。', '微信跟进报价单，客户说下周内部讨论。',
  '会议讨论了实施方案和交付时间。', '发送了产品资料和案例，等待反馈。', 'Called about the renewal; they want a volume discount.',
  'Visited the plant, met the IT lead, walked through the integration.', 'Sent the revised quote by e-mail.',
];
export const PROMISES = ['承诺下单后两周内完成上线培训。', '答应免费提供一次现场巡检。', 'Promised a dedicated support contact for the first month.', '承诺报价有效期延长至月底。'];
export const NEXT_ACTIONS = ['发送正式报价', '安排技术交流', '跟进合同条款', 'Book a demo with the finance team', '确认采购预算', 'Send the case study'];
