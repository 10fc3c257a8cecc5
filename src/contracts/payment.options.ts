/** How a payment (回款) came in: 银行转账, 现金, 支票, 承兑汇票, 微信, 支付宝. */
export const PAYMENT_METHODS = [
  'bank_transfer',
  'cash',
  'cheque',
  'acceptance_bill',
  'wechat',
  'alipay',
] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/** The two kinds of VAT invoice (发票): 增值税专用发票, 增值税普通发票. */
export const INVOICE_TYPES = ['vat_special', 'vat_general'] as const;
export type InvoiceType = (typeof INVOICE_TYPES)[number];

/** The most installments one plan holds. */
export const MAX_INSTALLMENTS = 60;

/** Statuses in which a contract's payment plan may be changed (not while it waits for approval). */
export const PLAN_STATUSES = ['draft', 'rejected', 'approved', 'signed'] as const;

/**
 * Statuses in which money is received and invoices issued against a contract: once it is signed, and
 * after it is completed (the retention money, 质保金, often comes after delivery). An approved contract
 * is not yet an obligation of the customer, a terminated one is settled outside the plan.
 */
export const COLLECTING_STATUSES = ['signed', 'completed'] as const;

/** Days before its end a signed contract reminds its owner to renew it. */
export const RENEWAL_NOTICE_DAYS = 30;
