import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/**
 * Moves one kind of record from a merged customer to the survivor (follow-ups now; opportunities,
 * contracts, tickets as those modules arrive). Each module registers its step; a merge runs them all
 * in its transaction, so nothing is left behind on the merged customer.
 */
export type MergeStep = (m: EntityManager, fromCustomerId: number, toCustomerId: number) => Promise<number>;

@Injectable()
export class CustomerMergeSteps {
  readonly steps: { name: string; move: MergeStep }[] = [];

  register(name: string, move: MergeStep): void {
    this.steps.push({ name, move });
  }
}
