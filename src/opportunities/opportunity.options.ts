/**
 * A deal's fixed stages, in the order a deal moves through them, and the win probability each stage
 * starts a deal at (a rep adjusts it per deal). Won and lost close the deal.
 */
export const OPPORTUNITY_STAGES = [
  'initial_contact',
  'needs_analysis',
  'proposal',
  'negotiation',
  'won',
  'lost',
] as const;
export type OpportunityStage = (typeof OPPORTUNITY_STAGES)[number];

/** The stages of a deal still being worked on, in order. */
export const OPEN_STAGES = ['initial_contact', 'needs_analysis', 'proposal', 'negotiation'] as const;
export type OpenStage = (typeof OPEN_STAGES)[number];

export const CLOSED_STAGES = ['won', 'lost'] as const;

export const STAGE_PROBABILITY: Record<OpportunityStage, number> = {
  initial_contact: 10,
  needs_analysis: 25,
  proposal: 50,
  negotiation: 75,
  won: 100,
  lost: 0,
};

export const isOpen = (stage: OpportunityStage): stage is OpenStage =>
  (OPEN_STAGES as readonly string[]).includes(stage);

/** Why a deal was lost: one of these, with free text beside it. */
export const LOST_REASONS = [
  'price',
  'competitor',
  'no_budget',
  'no_decision',
  'timing',
  'requirements',
  'relationship',
  'other',
] as const;
export type LostReason = (typeof LOST_REASONS)[number];

/** Where a deal came from. */
export const OPPORTUNITY_SOURCES = [
  'existing_customer',
  'referral',
  'website',
  'exhibition',
  'cold_call',
  'partner',
  'tender',
  'other',
] as const;
export type OpportunitySource = (typeof OPPORTUNITY_SOURCES)[number];

/** The list's sorts: last change (newest first), expected close (soonest first), amount (largest first). */
export const OPPORTUNITY_SORTS = ['updated', 'close', 'amount'] as const;
export type OpportunitySort = (typeof OPPORTUNITY_SORTS)[number];
