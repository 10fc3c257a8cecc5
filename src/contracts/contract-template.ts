/**
 * The standard contract text the admin edits at /admin/settings, in both languages. Placeholders only
 * (contract-text.ts): `{{customer.name}}` and the rest of the fixed set; nothing in it runs.
 */
export interface ContractTemplate {
  textEn: string;
  textZh: string;
}

export const CONTRACT_TEMPLATE_KEY = 'contract_template';

export const CONTRACT_TEMPLATE_DEFAULTS: ContractTemplate = {
  textZh: `合同编号：{{contract.number}}

甲方（买方）：{{customer.name}}
统一社会信用代码：{{customer.uscc}}
地址：{{customer.address}}

乙方（卖方）：{{company.name}}
地址：{{company.address}}

甲乙双方经友好协商，就下列产品及服务达成如下协议：

第一条 标的
{{contract.lines}}

第二条 合同金额
合同总金额为人民币 {{contract.amount}}（大写：{{contract.amountInWords}}）。

第三条 合同期限
自 {{contract.startOn}} 起至 {{contract.endOn}} 止。

第四条 付款安排
{{contract.paymentTerms}}
{{contract.paymentPlan}}

第五条 其他
本合同一式两份，甲乙双方各执一份，经双方签字盖章后生效。`,
  textEn: `Contract No. {{contract.number}}

Buyer: {{customer.name}}
Unified social credit code: {{customer.uscc}}
Address: {{customer.address}}

Seller: {{company.name}}
Address: {{company.address}}

The parties have agreed on the following products and services:

1. Subject
{{contract.lines}}

2. Contract amount
The total amount is {{contract.amount}} (in words: 人民币{{contract.amountInWords}}).

3. Term
From {{contract.startOn}} to {{contract.endOn}}.

4. Payment
{{contract.paymentTerms}}
{{contract.paymentPlan}}

5. Miscellaneous
This contract is made in two copies, one for each party, and takes effect when signed and sealed by both.`,
};
