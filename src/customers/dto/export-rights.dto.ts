import { IsInt } from 'class-validator';
import { Checkbox, IntOrNull } from '../../common/validation.js';
import type { ExportRights } from '../export-rights.js';

/** The export section of /admin/settings: one checkbox per role. */
export class ExportRightsDto implements ExportRights {
  @Checkbox()
  admin: boolean = false;

  @Checkbox()
  manager: boolean = false;

  @Checkbox()
  sales: boolean = false;

  @Checkbox()
  service: boolean = false;

  @IntOrNull()
  @IsInt()
  version: number;
}
