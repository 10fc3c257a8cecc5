import { Injectable } from '@nestjs/common';

/** One entry of the customer's timeline, whatever module it comes from. */
export interface TimelineItem {
  at: Date;
  /** follow_up, opportunity, contract, payment, ticket, survey… (a CSS class and an icon) */
  kind: string;
  /** Locale key of the entry's label, e.g. follow_up.method.visit. */
  labelKey: string;
  by: string | null;
  /** Who on the customer's side: a contact's name. */
  counterpart: string | null;
  text: string | null;
  /** Something promised to the customer: shown highlighted, so service sees it. */
  promise: string | null;
  nextAction: string | null;
  nextAt: Date | null;
  /** A later entry has since closed this next step (as "My day" sees it): shown as done. */
  nextDone?: boolean;
}

export type TimelineSource = (customerId: number) => Promise<TimelineItem[]>;

/**
 * The 360° page's timeline. Modules plug in a source (follow-ups now; opportunities, contracts,
 * payments, tickets and surveys later) from their onModuleInit; the page shows them merged, newest first.
 */
@Injectable()
export class CustomerTimeline {
  private readonly sources: TimelineSource[] = [];

  register(source: TimelineSource): void {
    this.sources.push(source);
  }

  async for(customerId: number, limit = 100): Promise<TimelineItem[]> {
    const lists = await Promise.all(this.sources.map((s) => s(customerId)));
    return lists
      .flat()
      .sort((a, b) => b.at.getTime() - a.at.getTime())
      .slice(0, limit);
  }
}
