import { Checkbox } from '../../common/validation.js';

/** The account page's choice about the weekly KPI digest: ticked, the manager receives it. */
export class DigestChoiceDto {
  @Checkbox()
  weeklyDigest: boolean = false;
}
