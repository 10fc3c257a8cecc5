import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/**
 * One kind of record a rep owns (customers now; open opportunities, contracts and tickets as those
 * modules arrive). Each module registers its step; deactivating a rep runs them all in one transaction.
 */
export interface HandOverStep {
  /** Locale key naming what is moved, e.g. hand_over.customers. */
  labelKey: string;
  count(userId: number): Promise<number>;
  /** Moves the records of `fromId` to `toId` (null: to the public pool); returns how many moved. */
  move(m: EntityManager, fromId: number, toId: number | null): Promise<number>;
}

@Injectable()
export class HandOverRegistry {
  readonly steps: HandOverStep[] = [];

  register(step: HandOverStep): void {
    this.steps.push(step);
  }
}
