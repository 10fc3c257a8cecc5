// Every migration in migrations/, oldest first; `npm run migration:generate` adds each new one here.
// The list lives outside migrations/, so that folder only ever grows by new files, none edited.
import { SlimImportRows1795351166705 } from '../../migrations/1795351166705-SlimImportRows.js';
import { AddCustomerImport1795347288579 } from '../../migrations/1795347288579-AddCustomerImport.js';
import { BackfillOwnedSince1795348755407 } from '../../migrations/1795348755407-BackfillOwnedSince.js';
import { CreateSchema1795343077012 } from '../../migrations/1795343077012-CreateSchema.js';
import { AddCustomerSearchAndPool1795344351484 } from '../../migrations/1795344351484-AddCustomerSearchAndPool.js';
import { SpeedUpCustomerList1795345940981 } from '../../migrations/1795345940981-SpeedUpCustomerList.js';

export const MIGRATIONS = [
  CreateSchema1795343077012,
  AddCustomerSearchAndPool1795344351484,
  SpeedUpCustomerList1795345940981,
  AddCustomerImport1795347288579,
  BackfillOwnedSince1795348755407,
  SlimImportRows1795351166705,
];
