/**
 * China's VAT rates (增值税税率), in percent: what quote and invoice forms offer first (13% goods,
 * 9%, 6% services, 3% small-scale, 1%, 0%), and the highest rate either accepts. 17% was the top rate
 * until 2018 and still appears on old contracts; anything above it is a typing mistake.
 */
export const VAT_RATES = ['13', '9', '6', '3', '1', '0'] as const;

/** The highest VAT rate a quote or invoice takes, in hundredths of a percent (17.00%). */
export const MAX_VAT_RATE_HUNDREDTHS = 1700;
