import type { Locale } from '../common/roles.js';

/**
 * Someone asking for service (a mail's sender, the portal form, a phone call an agent logs), as
 * CustomersService.findOrCreateRequester takes them.
 */
export interface RequesterInput {
  /** The person's name (a mail's display name, the form's name field). */
  name: string;
  /** Their company, when they named one: a new lead is then a company customer of that name. */
  company?: string;
  email?: string;
  /** Written any way people write it (+86 138 0013 8000, 138-0013-8000): normalised before matching. */
  mobile?: string;
  /** The language they wrote in, for what the caller sends them (matching does not depend on it). */
  locale: Locale;
}

/** The customer and contact a request belongs to. */
export interface RequesterMatch {
  customerId: number;
  contactId: number;
  /**
   * True: an existing contact matched by e-mail or mobile. False: the requester was unknown and a new
   * lead customer with this contact was created in the pool, for an agent to confirm or re-link.
   */
  matched: boolean;
}
