import { Injectable, type Provider } from '@nestjs/common';
import type { SessionUser } from '../common/session-user.js';

/** A line of an accepted quote, as a contract takes it over: amounts as exact decimal strings. */
export interface QuoteLineSource {
  item: string;
  specification: string | null;
  unit: string | null;
  quantity: string;
  unitPrice: string;
}

/** What contracts ask of quotes (src/opportunities/quotes): the lines of an accepted quote. */
export abstract class ContractQuotes {
  /** QuotesService.acceptedLines(user, quoteId): the accepted quote's lines, [] if none the user may see. */
  abstract acceptedLines(user: SessionUser, quoteId: number): Promise<QuoteLineSource[]>;
}

/**
 * Until the quotes module is in this branch no quote is accepted, so none has lines to carry over. On
 * merging, CONTRACT_QUOTES becomes an adapter calling QuotesService.acceptedLines and this class goes.
 */
@Injectable()
export class NoQuotesYet extends ContractQuotes {
  acceptedLines(): Promise<QuoteLineSource[]> {
    return Promise.resolve([]);
  }
}

export const CONTRACT_QUOTES: Provider = { provide: ContractQuotes, useClass: NoQuotesYet };
