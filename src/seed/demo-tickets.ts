import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import {
  addBusinessMinutes,
  type BusinessCalendar,
  businessMinutesBetween,
} from '../common/calendar/business-time.js';
import { duplicateKey, searchText } from '../customers/customer-keys.js';
import { rng } from './generate.js';
import {
  raisedPriority,
  type TicketChannel,
  type TicketPriority,
  type TicketStatus,
  type TicketType,
} from '../tickets/ticket.options.js';
import { warningsDue } from '../tickets/sla-clock.js';

/**
 * The demo company's service desk: what a 客服 sees on their first morning. Two service teams
 * (客服一组 for questions, bills and complaints, 技术支持 for technical problems), routing for every
 * type, canned replies in Chinese and English, and about sixty tickets from the last four weeks in
 * every queue, channel and status: fresh ones, some warned and some past their SLA, some waiting on
 * the customer, resolved ones with their surveys (a few low scores), closed ones. Every time sits on
 * the company's business calendar: arrivals are so many business minutes ago, due times are computed
 * by `addBusinessMinutes` from the SLA policy of the ticket's priority, as the service computes them.
 */

const MINUTE = 60_000;
const DAY = 86_400_000;

export const SERVICE_TEAMS = { desk: '客服一组', tech: '技术支持' } as const;

/** Which team each type goes to. */
const ROUTING: Record<TicketType, keyof typeof SERVICE_TEAMS> = {
  consultation: 'desk',
  billing: 'desk',
  complaint: 'desk',
  technical: 'tech',
};

/** 常用回复: per team, and two for everyone; `{customer}` and `{contact}` are filled in by Kehu. */
const CANNED: { team: keyof typeof SERVICE_TEAMS | null; title: string; body: string }[] = [
  {
    team: null,
    title: '已收到，正在处理',
    body: '{contact}您好，您的问题我们已经收到，正在为您处理，预计今天内给您答复。感谢您对我们的支持！',
  },
  {
    team: null,
    title: 'Received, working on it',
    body: 'Dear {contact}, thank you for contacting us. We have received your request and will get back to you today.',
  },
  {
    team: 'desk',
    title: '发票重开说明',
    body: '{contact}您好，{customer}的发票我们已提交财务重新开具，新发票将在 3 个工作日内寄出，原发票请寄回或作废处理。',
  },
  {
    team: 'desk',
    title: '补充资料请求',
    body: '{contact}您好，为了尽快处理，麻烦您补充一下相关截图或单据照片，直接回复本邮件即可。',
  },
  {
    team: 'desk',
    title: 'Invoice reissued',
    body: 'Dear {contact}, the invoice for {customer} has been reissued and will be posted within 3 working days.',
  },
  {
    team: 'desk',
    title: '投诉致歉',
    body: '{contact}您好，非常抱歉给您带来不好的体验。我们已经核实情况并对相关人员做了处理，后续由我全程跟进。',
  },
  {
    team: 'tech',
    title: '远程协助',
    body: '{contact}您好，我们可以安排工程师远程协助排查，请告知方便的时间，并提前安装好向日葵远程软件。',
  },
  {
    team: 'tech',
    title: '清除缓存后重试',
    body: '{contact}您好，请先清除浏览器缓存（Ctrl+Shift+Delete）后重新登录；如仍有问题，请回复截图给我们。',
  },
  {
    team: 'tech',
    title: 'Remote session',
    body: 'Dear {contact}, an engineer can look into this remotely: please tell us a convenient time today or tomorrow.',
  },
];

interface Scenario {
  subject: string;
  type: TicketType;
  channel: TicketChannel;
  priority: TicketPriority;
  /** What the customer wrote or said. */
  ask: string;
  /** The agent's first public reply. */
  reply: string;
  /** What the agent asked the customer for, when the ticket waits on them. */
  needs: string;
  /** The reply that resolved it. */
  done: string;
  /** An internal note, if the agent left one. */
  note?: string;
}

const SCENARIOS: Scenario[] = [
  {
    subject: '发票抬头错了，需要重开',
    type: 'billing',
    channel: 'email',
    priority: 'normal',
    ask: '你好，上周收到的增值税专用发票抬头写成了我们的旧公司名，财务入不了账，麻烦尽快重开一张。',
    reply: '您好，已经收到，我这边马上联系财务核对开票信息。',
    needs: '麻烦您把正确的开票信息（名称、税号、地址电话、开户行及账号）发给我一下。',
    done: '新发票已开具并通过顺丰寄出，单号 SF1402 8837 6621，请注意查收。原发票请寄回作废。',
    note: '财务说需要客户先寄回原票，红字信息表已申请。',
  },
  {
    subject: '系统登录不上，提示密码错误',
    type: 'technical',
    channel: 'phone',
    priority: 'high',
    ask: '客户来电：今天早上开始所有人都登录不上系统，提示密码错误，但密码没改过。',
    reply: '您好，我们已确认是昨晚升级后单点登录配置异常，工程师正在处理。',
    needs: '请提供一个出问题的账号和大概的登录时间，方便我们查日志。',
    done: '单点登录配置已修复，已请客户逐个验证，全部可以正常登录。',
    note: '运维确认是证书轮换后 SSO 回调地址没更新。',
  },
  {
    subject: '合同付款节点咨询',
    type: 'consultation',
    channel: 'wechat',
    priority: 'normal',
    ask: '请问我们签的年度维保合同，第二笔款是到货验收后付还是按季度付？财务在做预算。',
    reply: '您好，我查了一下合同，第二笔 60% 是到货验收后 10 个工作日内支付。',
    needs: '麻烦告诉我一下合同编号，我再跟销售确认一下验收日期。',
    done: '已与销售确认：验收单已于本月签字，第二笔款请在月底前安排即可。',
  },
  {
    subject: '投诉：上门服务迟到两个小时',
    type: 'complaint',
    channel: 'phone',
    priority: 'high',
    ask: '客户来电投诉：约好上午九点上门调试，工程师十一点才到，也没有提前打电话说明。',
    reply: '非常抱歉给您带来不便，我们已经在核实当天的派工情况，今天内给您答复。',
    needs: '麻烦您确认一下当天现场对接人的姓名和电话，我们安排主管回访。',
    done: '已向客户致歉并说明原因（前一单延误），本次上门服务费全免，主管已电话回访。',
    note: '派工系统显示前一单在昌平延误，但工程师没有按规定提前通知客户。',
  },
  {
    subject: '报表导出 Excel 乱码',
    type: 'technical',
    channel: 'portal',
    priority: 'normal',
    ask: '导出的月度销售报表用 Excel 打开中文全是乱码，用 WPS 打开是正常的。',
    reply: '您好，这是 CSV 文件编码的问题，我们在确认是否可以改为带 BOM 的 UTF-8。',
    needs: '请问您用的是哪个版本的 Excel？方便的话发一个导出的文件给我们。',
    done: '已发布修复，导出文件改为 XLSX 格式，Excel 可以直接打开。',
  },
  {
    subject: '想增加 10 个用户账号，怎么收费',
    type: 'consultation',
    channel: 'web',
    priority: 'low',
    ask: '我们部门新来了十个人，想增加账号，请问按年怎么收费？有没有优惠？',
    reply: '您好，增加账号按每人每年 600 元计，10 个以上可以申请九折。',
    needs: '请确认一下需要开通的具体人数和开始使用的日期，我给您出报价。',
    done: '报价单已发至您的邮箱，确认后销售会与您签订补充协议。',
  },
  {
    subject: '对账单金额和发票不一致',
    type: 'billing',
    channel: 'email',
    priority: 'normal',
    ask: '十月份的对账单总额是 86,400 元，但收到的发票合计 84,000 元，差了 2,400 元，请核实。',
    reply: '您好，收到，我已经转给财务核对十月份的明细。',
    needs: '请把你们财务那边的对账明细表发我一份，我们逐笔核对。',
    done: '核对结果：差额是一笔 11 月初才开具的服务费发票，已补寄，两边金额一致了。',
  },
  {
    subject: '打印机驱动安装失败',
    type: 'technical',
    channel: 'walk_in',
    priority: 'low',
    ask: '客户到前台：新买的标签打印机在 Win11 上装驱动一直失败，提示签名无效。',
    reply: '您好，我们已找到厂家最新签名版驱动，正在测试。',
    needs: '请告诉我们打印机的具体型号和电脑的系统版本号。',
    done: '已提供签名版驱动并远程协助安装完成，打印测试正常。',
  },
  {
    subject: '客服电话一直打不通',
    type: 'complaint',
    channel: 'wechat',
    priority: 'normal',
    ask: '这两天打你们 400 电话一直占线，等了二十多分钟都没人接，太耽误事了。',
    reply: '非常抱歉，这两天来电量确实很大，我们已经临时增加了坐席，您的问题我来直接跟进。',
    needs: '请问您当时想咨询的是什么问题？我这边先帮您处理。',
    done: '已帮客户处理完原来的问题，并加了客户的专属客服微信，以后可以直接联系。',
  },
  {
    subject: '数据同步延迟，订单两小时才到',
    type: 'technical',
    channel: 'email',
    priority: 'urgent',
    ask: '从今天上午开始，门店下的订单要两个小时才同步到总部系统，仓库没法及时发货！',
    reply: '您好，已定位到消息队列积压，工程师正在扩容处理，预计一小时内恢复。',
    needs: '请提供一两个延迟的订单号，我们核对一下是否已经补同步。',
    done: '消息队列已扩容，积压订单全部补同步完成，目前延迟在 1 分钟以内。',
    note: '队列积压 12 万条，已临时加 4 个消费者，明天评估长期方案。',
  },
  {
    subject: '合同到期续签流程咨询',
    type: 'consultation',
    channel: 'phone',
    priority: 'normal',
    ask: '客户来电：服务合同下个月到期，想了解续签需要准备什么材料，价格会不会变。',
    reply: '您好，续签只需要盖章的续签申请和营业执照复印件，价格与去年一致。',
    needs: '请确认一下续签年限（一年还是三年），三年期有折扣。',
    done: '续签申请已转给客户经理，合同草稿已发客户邮箱。',
  },
  {
    subject: '退款申请：重复扣款',
    type: 'billing',
    channel: 'portal',
    priority: 'high',
    ask: '我们的对公账户 11 月 3 日被扣了两次年费，各 12,000 元，请退回多扣的一笔。',
    reply: '您好，已核实确有重复扣款，退款流程已经发起。',
    needs: '请提供收款账户的开户行和账号，以及银行流水截图。',
    done: '12,000 元已原路退回，银行流水号 3102 8811 0926，请注意查收。',
  },
  {
    subject: '手机 App 闪退',
    type: 'technical',
    channel: 'portal',
    priority: 'normal',
    ask: '更新到最新版本后，iPhone 上打开 App 就闪退，安卓手机正常。',
    reply: '您好，我们已经复现，是 iOS 17 以下版本的兼容问题，正在修复。',
    needs: '请告诉我们手机型号和 iOS 版本号。',
    done: '修复版本 5.2.1 已上架 App Store，更新后即可正常使用。',
  },
  {
    subject: '投诉：安装人员态度差',
    type: 'complaint',
    channel: 'visit',
    priority: 'high',
    ask: '回访时客户反映：安装师傅在现场抱怨活多，对我们员工说话很不客气。',
    reply: '非常抱歉，我们已经联系服务商核实情况，会严肃处理。',
    needs: '麻烦您描述一下当天的具体情况，方便我们和服务商核实。',
    done: '已向客户书面致歉，该安装人员已停止派单，后续由资深工程师负责。',
    note: '服务商承认该师傅当天连续加班，已按合同扣罚。',
  },
  {
    subject: '如何设置审批流程',
    type: 'consultation',
    channel: 'email',
    priority: 'low',
    ask: '我们想把报销审批改成部门经理和财务两级审批，在哪里设置？',
    reply: '您好，在“管理 → 审批设置”里可以添加审批级别，我给您发一份操作说明。',
    needs: '请问你们金额超过多少需要总经理审批？我帮您把规则一起配好。',
    done: '已远程帮客户配置好两级审批，并发送了操作手册。',
  },
  {
    subject: '服务器宕机，网站打不开',
    type: 'technical',
    channel: 'phone',
    priority: 'urgent',
    ask: '客户来电：官网和商城都打不开，报 502 错误，正在搞促销活动，非常着急！',
    reply: '您好，我们已经在处理，初步判断是数据库连接数打满，工程师正在重启服务。',
    needs: '请确认一下活动开始的时间和预计的访问量，我们评估扩容。',
    done: '已扩容数据库连接池并重启服务，网站恢复访问，后续会加上监控告警。',
    note: '促销流量是平时 8 倍，连接池上限 100 不够，已调到 400。',
  },
  {
    subject: '发票寄错地址',
    type: 'billing',
    channel: 'wechat',
    priority: 'normal',
    ask: '发票寄到我们以前的办公地址去了，现在已经搬到浦东了，能不能重新寄？',
    reply: '您好，不好意思，我们马上联系快递拦截，同时更新您的收件地址。',
    needs: '请把新的收件地址、收件人和电话发给我。',
    done: '快递已改派到新地址并签收，系统里的收件地址也已更新。',
  },
  {
    subject: '培训课程时间安排',
    type: 'consultation',
    channel: 'wechat',
    priority: 'low',
    ask: '合同里包含的两次上门培训，什么时候可以安排？我们想定在下周。',
    reply: '您好，下周三和周五下午都可以安排，每次大约三个小时。',
    needs: '请确认参加培训的人数和培训地点，我们准备资料。',
    done: '培训已安排在下周三下午两点，讲师和资料都已确认。',
  },
  {
    subject: '权限设置后看不到客户数据',
    type: 'technical',
    channel: 'email',
    priority: 'high',
    ask: '管理员改了角色权限之后，销售部的人都看不到自己的客户了，很紧急。',
    reply: '您好，我们已确认是数据权限范围被改成了“仅本人创建”，正在协助恢复。',
    needs: '请告诉我们改权限前的设置，或者授权我们查看操作日志。',
    done: '数据权限已恢复为“本部门”，销售部同事确认可以正常查看。',
  },
  {
    subject: '投诉：维修后同样问题再次出现',
    type: 'complaint',
    channel: 'email',
    priority: 'normal',
    ask: '上个月修好的空调控制模块，这周又出现同样的故障，希望给个说法。',
    reply: '非常抱歉，我们会优先安排资深工程师上门，并免除本次费用。',
    needs: '请告诉我们方便上门的时间段，以及设备铭牌上的序列号。',
    done: '工程师已更换整块控制模块，延长保修一年，客户表示认可。',
  },
  {
    subject: '预付款发票什么时候开',
    type: 'billing',
    channel: 'phone',
    priority: 'low',
    ask: '客户来电：预付款已经打过去一周了，什么时候能开发票？',
    reply: '您好，预付款发票需要到账确认后开具，我帮您催一下财务。',
    needs: '请提供付款的银行回单，方便财务核对到账。',
    done: '发票已开具，电子版已发到您的邮箱。',
  },
  {
    subject: '接口调用返回 401',
    type: 'technical',
    channel: 'web',
    priority: 'normal',
    ask: '我们 ERP 对接你们的接口，今天开始全部返回 401，token 是上周刚生成的。',
    reply: '您好，我们查到该 token 设置了 7 天有效期，已经过期。',
    needs: '请确认一下对接账号，我们帮您生成长期有效的 token。',
    done: '已重新生成 90 天有效的 token 并告知续期方法，接口调用恢复正常。',
  },
  {
    subject: '咨询私有化部署方案',
    type: 'consultation',
    channel: 'visit',
    priority: 'normal',
    ask: '拜访时客户提出：集团要求数据不出内网，想了解私有化部署的方案和费用。',
    reply: '您好，我们支持私有化部署，我先发一份部署架构说明和报价区间。',
    needs: '请提供大概的用户规模和现有服务器配置。',
    done: '方案和报价已发送，售前工程师下周二上门做详细交流。',
  },
  {
    subject: '投诉：收到的设备外包装破损',
    type: 'complaint',
    channel: 'walk_in',
    priority: 'normal',
    ask: '客户到店反映：昨天收到的交换机外箱被压坏，担心设备有损伤。',
    reply: '非常抱歉，我们会先安排检测，有问题直接换新。',
    needs: '请拍一下外箱和设备的照片发给我们，方便向物流索赔。',
    done: '设备检测正常，已补发新包装和一个月延保作为补偿。',
  },
  {
    subject: '邮件通知收不到',
    type: 'technical',
    channel: 'portal',
    priority: 'low',
    ask: '系统的审批提醒邮件最近都收不到了，垃圾箱里也没有。',
    reply: '您好，我们查到贵司邮件服务器拒收了我们的发件域名，正在处理。',
    needs: '请让贵司 IT 把 notify@kehu.cn 加入白名单后告诉我们。',
    done: '白名单已生效，测试邮件已正常收到。',
  },
  {
    subject: '年费发票需要拆分成两张',
    type: 'billing',
    channel: 'email',
    priority: 'normal',
    ask: '我们的年费要分两个成本中心报销，能不能把发票拆成两张开？',
    reply: '您好，可以拆分，请告诉我两张发票各自的金额。',
    needs: '请确认拆分金额和对应的开票名称是否相同。',
    done: '两张发票已开具（各 18,000 元），已一起寄出。',
  },
  {
    subject: '会员积分查询',
    type: 'consultation',
    channel: 'wechat',
    priority: 'low',
    ask: '你好，想查一下我们公司的会员积分还有多少，能换什么？',
    reply: '您好，贵司目前积分 12,680 分，可以兑换一次免费上门巡检。',
    needs: '请问您想兑换哪一项？我帮您登记。',
    done: '已为您兑换一次上门巡检，工程师会提前一天电话预约。',
  },
  {
    subject: '投诉：重复推销电话太多',
    type: 'complaint',
    channel: 'phone',
    priority: 'low',
    ask: '客户来电：一周接到你们五六个推销电话，已经说了不需要还一直打。',
    reply: '非常抱歉打扰您了，我们已经把您的号码加入免打扰名单。',
    needs: '请问来电的号码是哪几个？我们核实是哪个部门打的。',
    done: '已确认号码加入免打扰名单，并提醒销售部门注意。',
  },
  {
    subject: '门禁系统无法识别新员工',
    type: 'technical',
    channel: 'wechat',
    priority: 'high',
    ask: '今天新入职的五个员工刷脸都识别不了，人事已经在系统里录入了。',
    reply: '您好，我们查到人脸库同步任务失败了，正在手动重新同步。',
    needs: '请提供这几位员工的工号，我们逐个确认。',
    done: '人脸库已重新同步，五位新员工都可以正常通行。',
  },
  {
    subject: '询问发票能否开专票',
    type: 'billing',
    channel: 'web',
    priority: 'low',
    ask: '我们是一般纳税人，这次采购能不能开 13% 的增值税专用发票？',
    reply: '您好，可以开专票，请在订单里填写完整的开票信息。',
    needs: '请把营业执照和开票信息发给我们备案。',
    done: '开票信息已备案，本次订单开具 13% 专票。',
  },
  {
    subject: '系统很慢，打开客户列表要一分钟',
    type: 'technical',
    channel: 'email',
    priority: 'normal',
    ask: '最近打开客户列表特别慢，有时候要等一分钟，其他页面还好。',
    reply: '您好，我们查到是客户列表的一个筛选条件没有走索引，正在优化。',
    needs: '请告诉我们常用的筛选条件，我们针对性优化。',
    done: '索引已优化，客户列表打开时间降到 1 秒以内。',
  },
  {
    subject: '咨询：能否延期付款',
    type: 'consultation',
    channel: 'phone',
    priority: 'normal',
    ask: '客户来电：这个月资金紧张，第三期款想延后一个月支付，可以吗？',
    reply: '您好，延期付款需要销售和财务审批，我先帮您提交申请。',
    needs: '请发一份盖章的延期付款申请函。',
    done: '延期申请已批准，第三期款延至下月 25 日支付。',
  },
  {
    subject: '投诉：客服回复太慢',
    type: 'complaint',
    channel: 'email',
    priority: 'normal',
    ask: '上周提的问题到现在还没人回复，你们的服务承诺是怎么算的？',
    reply: '非常抱歉让您久等了，我已经接手这个问题，今天一定给您结果。',
    needs: '请把之前的工单号或邮件转发给我一下。',
    done: '原问题已解决，并对延误做了说明和致歉。',
  },
  {
    subject: '摄像头画面黑屏',
    type: 'technical',
    channel: 'phone',
    priority: 'normal',
    ask: '客户来电：仓库的三个摄像头从昨晚开始画面全黑，录像也没有。',
    reply: '您好，初步判断是 PoE 交换机故障，工程师明天上午上门。',
    needs: '请帮忙看一下交换机的指示灯状态，拍照发给我们。',
    done: '已更换 PoE 交换机，三个摄像头恢复正常，录像正常存储。',
  },
  {
    subject: '需要盖章的服务确认单',
    type: 'consultation',
    channel: 'email',
    priority: 'low',
    ask: '审计要求，需要你们提供今年服务的盖章确认单，怎么申请？',
    reply: '您好，可以提供，我帮您走用章申请流程。',
    needs: '请确认确认单需要包含的服务期间和项目。',
    done: '盖章的服务确认单已快递寄出，扫描件已发到您的邮箱。',
  },
  {
    subject: '账单里多了一项不认识的费用',
    type: 'billing',
    channel: 'portal',
    priority: 'normal',
    ask: '本月账单里有一项“增值服务费 800 元”，我们没有开通过任何增值服务。',
    reply: '您好，我们核查到这是短信包自动续费，正在确认是否经过您同意。',
    needs: '请确认当时是否有人在后台开通过短信包。',
    done: '确认为系统默认开启的自动续费，800 元已退回并关闭自动续费。',
  },
];

/**
 * How a demo ticket stands: its status, whether it is assigned, and how far its SLA clock has run.
 * `age` is the business minutes since arrival as a fraction of the target the state is about (first
 * response for new tickets, resolution otherwise); `days` for resolved and closed tickets.
 */
type Shape =
  | { kind: 'new'; sla: 'ok' | 'warned' | 'breached' }
  | { kind: 'unassigned' }
  | { kind: 'open'; sla: 'ok' | 'warned' | 'breached' }
  | { kind: 'pending' }
  | { kind: 'resolved'; days: number; survey: [csat: number, ces: number, comment: string | null] | null }
  | { kind: 'closed'; days: number; survey: [csat: number, ces: number, comment: string | null] | null };

const SHAPES: Shape[] = [
  { kind: 'new', sla: 'ok' },
  { kind: 'open', sla: 'ok' },
  { kind: 'resolved', days: 2, survey: [5, 2, '处理很及时，谢谢！'] },
  { kind: 'pending' },
  { kind: 'closed', days: 12, survey: [5, 1, null] },
  { kind: 'unassigned' },
  { kind: 'new', sla: 'warned' },
  { kind: 'open', sla: 'breached' },
  { kind: 'resolved', days: 1, survey: null },
  { kind: 'closed', days: 15, survey: [4, 3, '问题解决了，就是中间等得有点久。'] },
  { kind: 'new', sla: 'breached' },
  { kind: 'open', sla: 'ok' },
  { kind: 'pending' },
  { kind: 'resolved', days: 3, survey: [2, 6, '前后打了三次电话，每次都要重新说一遍情况。'] },
  { kind: 'closed', days: 18, survey: null },
  { kind: 'unassigned' },
  { kind: 'open', sla: 'warned' },
  { kind: 'new', sla: 'ok' },
  { kind: 'resolved', days: 4, survey: [5, 1, '工程师很专业'] },
  { kind: 'closed', days: 20, survey: [1, 7, '问题拖了一周才解决，非常不满意。'] },
  { kind: 'pending' },
  { kind: 'open', sla: 'ok' },
  { kind: 'resolved', days: 5, survey: null },
  { kind: 'new', sla: 'warned' },
  { kind: 'closed', days: 22, survey: [4, 2, null] },
  { kind: 'unassigned' },
  { kind: 'open', sla: 'breached' },
  { kind: 'resolved', days: 2, survey: [4, 3, '态度很好'] },
  { kind: 'pending' },
  { kind: 'closed', days: 25, survey: [5, 2, '回复快，满意'] },
  { kind: 'new', sla: 'breached' },
  { kind: 'open', sla: 'ok' },
  { kind: 'resolved', days: 6, survey: [3, 4, null] },
  { kind: 'new', sla: 'ok' },
  { kind: 'closed', days: 14, survey: null },
  { kind: 'pending' },
  { kind: 'open', sla: 'warned' },
  { kind: 'resolved', days: 1, survey: [5, 1, '非常感谢，一次就解决了'] },
  { kind: 'unassigned' },
  { kind: 'closed', days: 27, survey: [2, 5, '解决方案可以，但响应太慢。'] },
  { kind: 'open', sla: 'ok' },
  { kind: 'new', sla: 'ok' },
  { kind: 'resolved', days: 3, survey: [5, 2, null] },
  { kind: 'pending' },
  { kind: 'open', sla: 'breached' },
  { kind: 'closed', days: 16, survey: [4, 2, null] },
  { kind: 'resolved', days: 2, survey: null },
  { kind: 'open', sla: 'ok' },
  { kind: 'new', sla: 'warned' },
  { kind: 'unassigned' },
  { kind: 'resolved', days: 4, survey: [4, 3, null] },
  { kind: 'closed', days: 19, survey: [5, 1, '很满意'] },
  { kind: 'pending' },
  { kind: 'open', sla: 'ok' },
  { kind: 'new', sla: 'ok' },
  { kind: 'resolved', days: 5, survey: [5, 2, null] },
  { kind: 'closed', days: 24, survey: null },
  { kind: 'open', sla: 'warned' },
  { kind: 'new', sla: 'breached' },
  { kind: 'resolved', days: 1, survey: [4, 2, null] },
];

const STATUS: Record<Shape['kind'], TicketStatus> = {
  new: 'new',
  unassigned: 'new',
  open: 'open',
  pending: 'pending',
  resolved: 'resolved',
  closed: 'closed',
};

/** Requesters who matched no known contact: new contacts on new lead customers, to confirm. */
const STRANGERS = [
  {
    company: '宁波海联物流有限公司',
    name: '郑海峰',
    mobile: '13967812345',
    email: 'zhenghf@hailian-logistics.cn',
  },
  {
    company: '苏州恒信精密机械有限公司',
    name: '钱晓燕',
    mobile: '15150236677',
    email: 'qianxy@hengxin-jm.com',
  },
];

interface DemoCustomer {
  id: number;
  tier: 'A' | 'B' | 'C';
  vip: boolean;
  contactId: number | null;
  contactName: string;
  mobile: string | null;
  email: string | null;
  unconfirmed: boolean;
}

interface Agents {
  /** The service teams' agents by team: the first is the demo login who sees most of the tickets. */
  desk: number[];
  tech: number[];
}

/** The requests a desk keeps getting, subject and wording, for generated tickets. */
export const REQUESTS: readonly { subject: string; ask: string }[] = SCENARIOS.map(({ subject, ask }) => ({
  subject,
  ask,
}));

/** The calendar as stored (the demo company's zone is Asia/Shanghai, as the seed's numbering counts). */
export async function loadCalendar(m: EntityManager, zone: string): Promise<BusinessCalendar> {
  const [hours] = await m.query<
    {
      opens: (number | null)[];
      closes: (number | null)[];
      lunchStarts: number | null;
      lunchEnds: number | null;
    }[]
  >(
    `SELECT opens, closes, lunch_starts AS "lunchStarts", lunch_ends AS "lunchEnds" FROM business_hours WHERE id = 1`,
  );
  const exceptions = await m.query<{ day: string; kind: string }[]>(
    `SELECT "day"::text AS "day", kind FROM calendar_exception`,
  );
  return {
    zone,
    week: hours.opens.map((opens, i) => {
      const closes = hours.closes[i];
      return opens === null || closes === null ? null : { opens, closes };
    }),
    lunch:
      hours.lunchStarts === null || hours.lunchEnds === null
        ? null
        : { starts: hours.lunchStarts, ends: hours.lunchEnds },
    holidays: new Set(exceptions.filter((e) => e.kind === 'holiday').map((e) => e.day)),
    makeUpDays: new Set(exceptions.filter((e) => e.kind === 'workday').map((e) => e.day)),
  };
}

/**
 * The latest instant from which `minutes` business minutes have passed by `now`: an arrival that
 * many business minutes ago, always inside working hours (or at an opening).
 */
export function businessMinutesBefore(now: Date, minutes: number, calendar: BusinessCalendar): Date {
  // A span far enough back (doubled until it holds the minutes), then halved down to the minute.
  let span = (Math.ceil(minutes / 240) + 4) * DAY;
  while (businessMinutesBetween(new Date(now.getTime() - span), now, calendar) < minutes) {
    span *= 2;
    if (span > 3 * 366 * DAY) throw new RangeError('the calendar has too little working time');
  }
  let lo = now.getTime() - span;
  let hi = now.getTime();
  while (hi - lo > MINUTE) {
    const mid = Math.floor((lo + hi) / 2);
    if (businessMinutesBetween(new Date(mid), now, calendar) >= minutes) lo = mid;
    else hi = mid;
  }
  return new Date(Math.floor(lo / MINUTE) * MINUTE);
}

/** Sets up the service teams' routing and canned replies, and the demo tickets; returns how many tickets. */
export async function insertDemoTickets(
  m: EntityManager,
  teams: { desk: number; tech: number },
  agents: Agents,
  nextNumber: () => Promise<string>,
  now = new Date(),
  zone = 'Asia/Shanghai',
): Promise<number> {
  for (const [type, team] of Object.entries(ROUTING))
    await m.query(
      `INSERT INTO ticket_routing (type, team_id) VALUES ($1, $2) ON CONFLICT (type) DO UPDATE SET team_id = EXCLUDED.team_id`,
      [type, teams[team]],
    );
  for (const c of CANNED)
    await m.query(`INSERT INTO canned_reply (team_id, title, body, version) VALUES ($1, $2, $3, 1)`, [
      c.team ? teams[c.team] : null,
      c.title,
      c.body,
    ]);
  const calendar = await loadCalendar(m, zone);
  const managerRows = await m.query<{ id: number; managerId: number | null }[]>(
    `SELECT id, manager_id AS "managerId" FROM team WHERE id = ANY($1)`,
    [[teams.desk, teams.tech]],
  );
  const managerOf = (teamId: number) => managerRows.find((t) => t.id === teamId)?.managerId ?? null;
  const managers = { desk: managerOf(teams.desk), tech: managerOf(teams.tech) };
  const policies = await m.query<{ priority: TicketPriority; fr: number; res: number }[]>(
    `SELECT priority, first_response_minutes AS fr, resolution_minutes AS res FROM sla_policy WHERE tier IS NULL`,
  );
  const target = new Map(policies.map((p) => [p.priority, p]));
  const names = new Map(
    (
      await m.query<{ id: number; name: string }[]>(`SELECT id, name FROM app_user WHERE id = ANY($1)`, [
        [...agents.desk, ...agents.tech],
      ])
    ).map((u) => [u.id, u.name.split(' ')[0]]),
  );

  // Customers with a primary contact who can be reached, spread over the reps' books.
  const known = await m.query<Omit<DemoCustomer, 'unconfirmed'>[]>(
    `SELECT c.id, c.tier, c.vip, ct.id AS "contactId", ct.name AS "contactName", ct.mobile, ct.email
       FROM customer c JOIN contact ct ON ct.customer_id = c.id AND ct."primary"
      WHERE c.deleted_at IS NULL AND c.owner_id IS NOT NULL AND c.status IN ('active', 'prospect')
      ORDER BY row_number() OVER (PARTITION BY c.owner_id ORDER BY c.id), c.owner_id LIMIT 36`,
  );
  const customers: DemoCustomer[] = known.map((c) => ({ ...c, unconfirmed: false }));
  const strangers: DemoCustomer[] = [];
  for (const s of STRANGERS) {
    const [c] = await m.query<{ id: number }[]>(
      `INSERT INTO customer (kind, name, status, source, name_key, search_text, version)
       VALUES ('company', $1, 'lead', 'website', $2, $3, 1) RETURNING id`,
      [s.company, duplicateKey(s.company), searchText(s.company)],
    );
    const [ct] = await m.query<{ id: number }[]>(
      `INSERT INTO contact (customer_id, name, mobile, email, "primary", version) VALUES ($1, $2, $3, $4, true, 1) RETURNING id`,
      [c.id, s.name, s.mobile, s.email],
    );
    strangers.push({
      id: c.id,
      tier: 'C',
      vip: false,
      contactId: ct.id,
      contactName: s.name,
      mobile: s.mobile,
      email: s.email,
      unconfirmed: true,
    });
  }
  if (!customers.length) return 0;
  // The closed tickets of the year before, numbered ahead of the current ones as they arrived first.
  const history = await insertTicketHistory(m, {
    calendar,
    target,
    teams,
    agents,
    customers,
    nextNumber,
    now,
  });

  const at = (start: Date, minutes: number) =>
    addBusinessMinutes(start, Math.max(0, Math.round(minutes)), calendar);
  const plan = SHAPES.map((shape, i) => {
    const scenario = SCENARIOS[i % SCENARIOS.length];
    // Two portal and e-mail requests from strangers; the rest from known customers, a few more than once.
    const customer =
      (shape.kind === 'new' || shape.kind === 'unassigned') &&
      (scenario.channel === 'portal' || scenario.channel === 'email') &&
      strangers.length
        ? strangers.shift()!
        : customers[(i * 7) % customers.length];
    // VIP and tier-A customers get their priority raised one level, as on arrival.
    const priority =
      customer.vip || customer.tier === 'A' ? raisedPriority(scenario.priority) : scenario.priority;
    const { fr, res } = target.get(priority) ?? { fr: 240, res: 1350 };
    const team = ROUTING[scenario.type];
    const pool = agents[team];
    const assigneeId =
      shape.kind === 'unassigned' || !pool.length ? null : pool[i % 3 === 2 ? pool.length - 1 : 0];
    // Business minutes since arrival: how far the clock has run.
    const age = {
      new: { ok: 0.3, warned: 0.85, breached: 1.6 }[shape.kind === 'new' ? shape.sla : 'ok'] * fr,
      unassigned: 0.2 * fr + (i % 4) * 7,
      open: { ok: 0.35, warned: 0.86, breached: 1.3 }[shape.kind === 'open' ? shape.sla : 'ok'] * res,
      pending: 0.5 * res,
      resolved: 0,
      closed: 0,
    }[shape.kind];
    const resolveAfter = Math.min(
      res * (shape.kind === 'closed' && shape.survey?.[0] === 1 ? 1.4 : 0.6),
      res * 3,
    );
    const receivedAt =
      shape.kind === 'resolved' || shape.kind === 'closed'
        ? businessMinutesBefore(new Date(now.getTime() - shape.days * DAY), resolveAfter, calendar)
        : businessMinutesBefore(now, Math.max(3, age), calendar);
    return { i, shape, scenario, customer, priority, fr, res, team, assigneeId, receivedAt, resolveAfter };
  });
  // Numbered in the order they arrived, as Kehu numbers them.
  plan.sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime() || a.i - b.i);

  for (const p of plan) {
    const { shape, scenario, customer, fr, res, receivedAt } = p;
    const status = STATUS[shape.kind];
    const firstResponseDueAt = at(receivedAt, fr);
    const resolutionDueAt = at(receivedAt, res);
    const warnings = warningsDue(
      { receivedAt, pausedMinutes: 0, firstResponseTargetMinutes: fr, resolutionTargetMinutes: res },
      calendar,
    );
    const responded = shape.kind !== 'new' && shape.kind !== 'unassigned';
    const firstRespondedAt = responded ? at(receivedAt, Math.min(0.5 * fr, 0.25 * res)) : null;
    const resolvedAt =
      shape.kind === 'resolved' || shape.kind === 'closed' ? at(receivedAt, p.resolveAfter) : null;
    const pausedAt = shape.kind === 'pending' ? at(receivedAt, 0.3 * res) : null;
    const closedAt = shape.kind === 'closed' && resolvedAt ? new Date(resolvedAt.getTime() + 7 * DAY) : null;
    const elapsed = businessMinutesBetween(receivedAt, pausedAt ?? resolvedAt ?? now, calendar);
    const frWarned =
      elapsed >= 0.8 * fr && (!firstRespondedAt || firstRespondedAt > at(receivedAt, 0.8 * fr));
    const frBreached = !firstRespondedAt && elapsed >= fr;
    const resWarned = status !== 'new' && elapsed >= 0.8 * res;
    const resBreached = status !== 'new' && elapsed >= res;
    const dueAt = status === 'new' ? firstResponseDueAt : status === 'open' ? resolutionDueAt : null;
    const publicReplies = responded ? (resolvedAt ? (p.i % 3 === 0 ? 1 : 2) : 1) : 0;
    const teamId = teams[p.team];
    const number = await nextNumber();
    const [row] = await m.query<{ id: number }[]>(
      `INSERT INTO ticket (number, customer_id, contact_id, requester_name, requester_email, requester_mobile,
         requester_unconfirmed, channel, type, priority, status, subject, team_id, assignee_id, created_by_id,
         received_at, first_response_target_minutes, resolution_target_minutes, first_response_due_at,
         resolution_due_at, due_at, paused_at, paused_minutes, first_responded_at, first_response_minutes,
         resolved_at, resolution_minutes, closed_at, first_response_warned_at, first_response_breached_at,
         resolution_warned_at, resolution_breached_at, reopen_count, public_reply_count, tracking_token,
         first_response_warning_due_at, resolution_warning_due_at, created_at, updated_at, version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
         $22, 0, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $36, $37, $16, $35, 1)
       RETURNING id`,
      [
        number,
        customer.id,
        customer.contactId,
        customer.contactName,
        customer.email,
        customer.mobile,
        customer.unconfirmed,
        scenario.channel,
        scenario.type,
        p.priority,
        status,
        scenario.subject,
        teamId,
        p.assigneeId,
        ['phone', 'wechat', 'visit', 'walk_in'].includes(scenario.channel) ? (p.assigneeId ?? null) : null,
        receivedAt,
        fr,
        res,
        firstResponseDueAt,
        resolutionDueAt,
        dueAt,
        pausedAt,
        firstRespondedAt,
        firstRespondedAt ? businessMinutesBetween(receivedAt, firstRespondedAt, calendar) : null,
        resolvedAt,
        resolvedAt ? businessMinutesBetween(receivedAt, resolvedAt, calendar) : null,
        closedAt,
        frWarned ? at(receivedAt, 0.8 * fr) : null,
        frBreached || (firstRespondedAt && firstRespondedAt > firstResponseDueAt) ? firstResponseDueAt : null,
        resWarned ? at(receivedAt, 0.8 * res) : null,
        resBreached ? resolutionDueAt : null,
        // One resolved ticket was reopened once by the customer's reply before it was settled.
        shape.kind === 'resolved' && p.i % 5 === 3 ? 1 : 0,
        publicReplies,
        randomBytes(24).toString('base64url'),
        closedAt ?? resolvedAt ?? pausedAt ?? firstRespondedAt ?? receivedAt,
        warnings.firstResponseWarningDueAt,
        warnings.resolutionWarningDueAt,
      ],
    );

    // The warnings and breaches the SLA watch told the agent and the team's manager of (in-app), unread.
    const alerts: [
      target: 'first_response' | 'resolution',
      kind: 'warning' | 'breached',
      at: Date,
      due: Date,
    ][] = [];
    if (status === 'new' || status === 'open') {
      if (frWarned) alerts.push(['first_response', 'warning', at(receivedAt, 0.8 * fr), firstResponseDueAt]);
      if (frBreached) alerts.push(['first_response', 'breached', firstResponseDueAt, firstResponseDueAt]);
      if (resWarned) alerts.push(['resolution', 'warning', at(receivedAt, 0.8 * res), resolutionDueAt]);
      if (resBreached) alerts.push(['resolution', 'breached', resolutionDueAt, resolutionDueAt]);
    }
    for (const [target, kind, when, due] of alerts)
      for (const userId of new Set([p.assigneeId, managers[p.team]].filter((x) => x !== null)))
        await m.query(
          `INSERT INTO notification (user_id, kind, params, link, created_at) VALUES ($1, $2, $3, $4, $5)`,
          [
            userId,
            `ticket_${target}_${kind}`,
            { targetKey: `tickets.sla.${target}`, due: due.toISOString(), number, subject: scenario.subject },
            `/tickets/${row.id}`,
            when,
          ],
        );

    // The conversation.
    const agentId = p.assigneeId;
    const agentName = agentId ? (names.get(agentId) ?? '客服') : null;
    const messages: { at: Date; fromCustomer: boolean; internal: boolean; body: string }[] = [
      { at: receivedAt, fromCustomer: true, internal: false, body: scenario.ask },
    ];
    if (agentId && scenario.note && status !== 'new')
      messages.push({
        at: at(receivedAt, 0.2 * fr),
        fromCustomer: false,
        internal: true,
        body: scenario.note,
      });
    if (firstRespondedAt)
      messages.push({ at: firstRespondedAt, fromCustomer: false, internal: false, body: scenario.reply });
    if (pausedAt) messages.push({ at: pausedAt, fromCustomer: false, internal: false, body: scenario.needs });
    if (resolvedAt) {
      if (publicReplies > 1) {
        const middle = at(receivedAt, p.resolveAfter * 0.6);
        messages.push({ at: middle, fromCustomer: false, internal: false, body: scenario.needs });
        messages.push({
          at: new Date(middle.getTime() + 40 * MINUTE),
          fromCustomer: true,
          internal: false,
          body: '好的，资料已经发过去了，请查收。',
        });
      }
      messages.push({ at: resolvedAt, fromCustomer: false, internal: false, body: scenario.done });
    }
    if (shape.kind === 'open' && p.i % 2 === 0 && firstRespondedAt)
      messages.push({
        at: new Date(firstRespondedAt.getTime() + 25 * MINUTE),
        fromCustomer: true,
        internal: false,
        body: '好的，辛苦了，请尽快处理，有进展随时告诉我。',
      });
    for (const msg of messages.filter((x) => x.at <= now))
      await m.query(
        `INSERT INTO ticket_message (ticket_id, author_id, author_name, from_customer, internal, body, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          row.id,
          msg.fromCustomer ? null : agentId,
          msg.fromCustomer ? customer.contactName : agentName,
          msg.fromCustomer,
          msg.internal,
          msg.body,
          msg.at,
        ],
      );

    // The survey sent on resolving, answered or not.
    if (resolvedAt && (shape.kind === 'resolved' || shape.kind === 'closed')) {
      const answer = shape.survey;
      const answeredAt = answer ? new Date(resolvedAt.getTime() + (2 + (p.i % 20)) * 3_600_000) : null;
      await m.query(
        `INSERT INTO survey_response (kind, ticket_id, customer_id, contact_id, sent_to, token, sent_at, expires_at,
           answered_at, csat, ces, comment)
         VALUES ('ticket', $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [
          row.id,
          customer.id,
          customer.contactId,
          customer.email ?? customer.mobile ?? customer.contactName,
          randomBytes(24).toString('base64url'),
          resolvedAt,
          new Date(resolvedAt.getTime() + 14 * DAY),
          answeredAt && answeredAt <= now ? answeredAt : null,
          answeredAt && answeredAt <= now ? answer![0] : null,
          answeredAt && answeredAt <= now ? answer![1] : null,
          answeredAt && answeredAt <= now ? answer![2] : null,
        ],
      );
    }
  }
  return history + plan.length;
}

/**
 * The service desk's year before the current tickets: every month from a year ago to four weeks ago
 * about two dozen closed tickets on the demo customers (those already customers then), arriving in
 * working hours, answered and resolved within their targets but about one in eight past one of them,
 * with their conversation, the survey sent on resolving (about half answered: CSAT and CES, lower
 * when the ticket ran late), and each month a few NPS answers. Returns how many tickets.
 */
async function insertTicketHistory(
  m: EntityManager,
  h: {
    calendar: BusinessCalendar;
    target: Map<TicketPriority, { fr: number; res: number }>;
    teams: { desk: number; tech: number };
    agents: Agents;
    customers: DemoCustomer[];
    nextNumber: () => Promise<string>;
    now: Date;
  },
): Promise<number> {
  const { calendar, now } = h;
  const since = (
    await m.query<{ id: number; createdAt: Date }[]>(
      `SELECT id, created_at AS "createdAt" FROM customer WHERE id = ANY($1)`,
      [h.customers.map((c) => c.id)],
    )
  ).reduce((map, c) => map.set(c.id, c.createdAt.getTime()), new Map<number, number>());
  const r = rng(2_718);
  const at = (start: Date, minutes: number) =>
    addBusinessMinutes(start, Math.max(0, Math.round(minutes)), calendar);
  type Row = { received: Date; customer: DemoCustomer; scenario: Scenario; late: boolean; frLate: boolean };
  const rows: Row[] = [];
  for (let day = 365; day > 28; day--) {
    // About 0.75 a calendar day: more on working days, as requests come.
    const count = Math.floor(r() * 1.5 + 0.3);
    for (let k = 0; k < count; k++) {
      const sent = new Date(now.getTime() - day * DAY + Math.floor(r() * DAY));
      const received = addBusinessMinutes(sent, 0, calendar);
      const eligible = h.customers.filter(
        (c) => (since.get(c.id) ?? 0) < received.getTime() && !c.unconfirmed,
      );
      if (!eligible.length) continue;
      rows.push({
        received,
        customer: eligible[Math.floor(r() * eligible.length)],
        scenario: SCENARIOS[Math.floor(r() * SCENARIOS.length)],
        late: r() < 0.12,
        frLate: r() < 0.06,
      });
    }
  }
  rows.sort((a, b) => a.received.getTime() - b.received.getTime());
  const t: Record<string, unknown[]> = {};
  const col = (name: string, v: unknown) => (t[name] ??= []).push(v);
  const after: { resolved: Date; row: Row; replies: number; firstResponded: Date; agentId: number | null }[] =
    [];
  for (const [i, row] of rows.entries()) {
    const { customer, scenario, received } = row;
    const priority =
      customer.vip || customer.tier === 'A' ? raisedPriority(scenario.priority) : scenario.priority;
    const { fr, res } = h.target.get(priority) ?? { fr: 240, res: 1350 };
    const team = ROUTING[scenario.type];
    const pool = h.agents[team];
    const agentId = pool.length ? pool[i % 3 === 2 ? pool.length - 1 : 0] : null;
    const frDue = at(received, fr);
    const resDue = at(received, res);
    const firstResponded = at(received, fr * (row.frLate ? 1.2 + r() * 0.8 : 0.1 + r() * 0.6));
    const resolved = at(received, res * (row.late ? 1.1 + r() * 1.2 : 0.25 + r() * 0.7));
    const resolvedAt = resolved > firstResponded ? resolved : at(firstResponded, 30);
    const closed = new Date(resolvedAt.getTime() + 7 * DAY);
    const replies = i % 3 === 0 ? 1 : 2;
    col('number', await h.nextNumber());
    col('customer', customer.id);
    col('contact', customer.contactId);
    col('name', customer.contactName);
    col('email', customer.email);
    col('mobile', customer.mobile);
    col('channel', scenario.channel);
    col('type', scenario.type);
    col('priority', priority);
    col('subject', scenario.subject);
    col('team', h.teams[team]);
    col('assignee', agentId);
    col('createdBy', ['phone', 'wechat', 'visit', 'walk_in'].includes(scenario.channel) ? agentId : null);
    col('received', received.toISOString());
    col('fr', fr);
    col('res', res);
    col('frDue', frDue.toISOString());
    col('resDue', resDue.toISOString());
    col('responded', firstResponded.toISOString());
    col('frMinutes', businessMinutesBetween(received, firstResponded, calendar));
    col('resolved', resolvedAt.toISOString());
    col('resMinutes', businessMinutesBetween(received, resolvedAt, calendar));
    col('closed', closed.toISOString());
    col('frBreached', firstResponded > frDue ? frDue.toISOString() : null);
    col('resBreached', resolvedAt > resDue ? resDue.toISOString() : null);
    col('replies', replies);
    col('token', randomBytes(24).toString('base64url'));
    after.push({ resolved: resolvedAt, row, replies, firstResponded, agentId });
  }
  if (!rows.length) return 0;
  const ids = await m.query<{ id: number }[]>(
    `INSERT INTO ticket (number, customer_id, contact_id, requester_name, requester_email, requester_mobile, channel, type,
       priority, status, subject, team_id, assignee_id, created_by_id, received_at, first_response_target_minutes,
       resolution_target_minutes, first_response_due_at, resolution_due_at, first_responded_at, first_response_minutes,
       resolved_at, resolution_minutes, closed_at, first_response_breached_at, resolution_breached_at, paused_minutes,
       reopen_count, public_reply_count, tracking_token, created_at, updated_at, version)
     SELECT number, customer_id, contact_id, requester_name, requester_email, requester_mobile, channel, type, priority,
            'closed', subject, team_id, assignee_id, created_by_id, received_at, fr, res, fr_due, res_due, responded,
            fr_minutes, resolved, res_minutes, closed, fr_breached, res_breached, 0, 0, replies, token, received_at, closed, 1
       FROM unnest($1::text[], $2::int[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                   $10::text[], $11::int[], $12::int[], $13::int[], $14::timestamptz[], $15::int[], $16::int[],
                   $17::timestamptz[], $18::timestamptz[], $19::timestamptz[], $20::int[], $21::timestamptz[], $22::int[],
                   $23::timestamptz[], $24::timestamptz[], $25::timestamptz[], $26::int[], $27::text[])
         WITH ORDINALITY AS t(number, customer_id, contact_id, requester_name, requester_email, requester_mobile, channel,
              type, priority, subject, team_id, assignee_id, created_by_id, received_at, fr, res, fr_due, res_due, responded,
              fr_minutes, resolved, res_minutes, closed, fr_breached, res_breached, replies, token, n)
      ORDER BY n RETURNING id`,
    [
      t.number,
      t.customer,
      t.contact,
      t.name,
      t.email,
      t.mobile,
      t.channel,
      t.type,
      t.priority,
      t.subject,
      t.team,
      t.assignee,
      t.createdBy,
      t.received,
      t.fr,
      t.res,
      t.frDue,
      t.resDue,
      t.responded,
      t.frMinutes,
      t.resolved,
      t.resMinutes,
      t.closed,
      t.frBreached,
      t.resBreached,
      t.replies,
      t.token,
    ],
  );
  const msg: Record<string, unknown[]> = {};
  const message = (
    ticketId: number,
    a: (typeof after)[number],
    fromCustomer: boolean,
    body: string,
    when: Date,
  ) => {
    (msg.ticket ??= []).push(ticketId);
    (msg.author ??= []).push(fromCustomer ? null : a.agentId);
    (msg.name ??= []).push(fromCustomer ? a.row.customer.contactName : '客服');
    (msg.fromCustomer ??= []).push(fromCustomer);
    (msg.body ??= []).push(body);
    (msg.at ??= []).push(when.toISOString());
  };
  const sv: Record<string, unknown[]> = {};
  const survey = (v: Record<string, unknown>) => {
    for (const [k, x] of Object.entries({ ...v, token: randomBytes(24).toString('base64url') }))
      (sv[k] ??= []).push(x);
  };
  const comments = [
    '处理很及时，谢谢！',
    '工程师很专业',
    null,
    null,
    '问题解决了，就是中间等得有点久。',
    null,
  ];
  for (const [i, a] of after.entries()) {
    const id = ids[i].id;
    const { scenario, customer } = a.row;
    message(id, a, true, scenario.ask, a.row.received);
    message(id, a, false, scenario.reply, a.firstResponded);
    if (a.replies > 1) {
      const middle = new Date((a.firstResponded.getTime() + a.resolved.getTime()) / 2);
      message(id, a, false, scenario.needs, middle);
      message(id, a, true, '好的，资料已经发过去了，请查收。', new Date(middle.getTime() + 40 * MINUTE));
    }
    message(id, a, false, scenario.done, a.resolved);
    const answered = r() < 0.5;
    const late = a.row.late || a.row.frLate;
    const csat = late ? 1 + Math.floor(r() * 3) : r() < 0.7 ? 5 : 4 - Math.floor(r() * 1.3);
    survey({
      kind: 'ticket',
      ticket: id,
      customer: customer.id,
      contact: customer.contactId,
      to: customer.email ?? customer.mobile ?? customer.contactName,
      sent: a.resolved.toISOString(),
      expires: new Date(a.resolved.getTime() + 14 * DAY).toISOString(),
      answered: answered ? new Date(a.resolved.getTime() + (2 + (i % 20)) * 3_600_000).toISOString() : null,
      csat: answered ? csat : null,
      ces: answered ? Math.min(7, Math.max(1, 6 - csat + Math.floor(r() * 2))) : null,
      nps: null,
      comment: answered ? comments[i % comments.length] : null,
    });
  }
  // A few NPS answers each month: how likely the customer is to recommend the company.
  for (let k = 0; k < 12; k++)
    for (let j = 0; j < 3; j++) {
      const customer = h.customers[(k * 3 + j) % h.customers.length];
      const sent = new Date(now.getTime() - (k * 30 + 3 + Math.floor(r() * 25)) * DAY);
      if (customer.unconfirmed || (since.get(customer.id) ?? 0) > sent.getTime()) continue;
      survey({
        kind: 'nps',
        ticket: null,
        customer: customer.id,
        contact: customer.contactId,
        to: customer.email ?? customer.mobile ?? customer.contactName,
        sent: sent.toISOString(),
        expires: new Date(sent.getTime() + 14 * DAY).toISOString(),
        answered: new Date(sent.getTime() + (3 + j * 20) * 3_600_000).toISOString(),
        csat: null,
        ces: null,
        nps: [10, 9, 8, 7, 9, 10, 6, 3][Math.floor(r() * 8)],
        comment: null,
      });
    }
  await m.query(
    `INSERT INTO ticket_message (ticket_id, author_id, author_name, from_customer, internal, body, created_at)
     SELECT ticket_id, author_id, author_name, from_customer, false, body, created_at
       FROM unnest($1::int[], $2::int[], $3::text[], $4::bool[], $5::text[], $6::timestamptz[])
         AS m(ticket_id, author_id, author_name, from_customer, body, created_at)`,
    [msg.ticket, msg.author, msg.name, msg.fromCustomer, msg.body, msg.at],
  );
  await m.query(
    `INSERT INTO survey_response (kind, ticket_id, customer_id, contact_id, sent_to, token, sent_at, expires_at,
       answered_at, csat, ces, nps, comment)
     SELECT kind, ticket_id, customer_id, contact_id, sent_to, token, sent_at, expires_at,
            answered_at, csat, ces, nps, comment
       FROM unnest($1::text[], $2::int[], $3::int[], $4::int[], $5::text[], $6::timestamptz[], $7::timestamptz[],
                   $8::timestamptz[], $9::smallint[], $10::smallint[], $11::smallint[], $12::text[], $13::text[])
         AS s(kind, ticket_id, customer_id, contact_id, sent_to, sent_at, expires_at, answered_at, csat, ces, nps, comment, token)`,
    [
      sv.kind,
      sv.ticket,
      sv.customer,
      sv.contact,
      sv.to,
      sv.sent,
      sv.expires,
      sv.answered,
      sv.csat,
      sv.ces,
      sv.nps,
      sv.comment,
      sv.token,
    ],
  );
  return rows.length;
}
