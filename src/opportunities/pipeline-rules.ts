/** The pipeline's rules, changed by an admin at /admin/settings. */
export interface PipelineRules {
  /** An open deal with no edit, stage change or follow-up for this many days is flagged stale. */
  staleDays: number;
}

export const PIPELINE_KEY = 'pipeline';
export const PIPELINE_DEFAULTS: PipelineRules = { staleDays: 14 };
