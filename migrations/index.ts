// Every migration, oldest first. A new migration is added here as it lands; none is ever edited.
import { SlimImportRows1795351166705 } from './1795351166705-SlimImportRows.js';
import { AddCustomerImport1795347288579 } from './1795347288579-AddCustomerImport.js';
import { BackfillOwnedSince1795348755407 } from './1795348755407-BackfillOwnedSince.js';
import { CreateSchema1795343077012 } from './1795343077012-CreateSchema.js';
import { AddCustomerSearchAndPool1795344351484 } from './1795344351484-AddCustomerSearchAndPool.js';
import { SpeedUpCustomerList1795345940981 } from './1795345940981-SpeedUpCustomerList.js';

export const MIGRATIONS = [
  CreateSchema1795343077012,
  AddCustomerSearchAndPool1795344351484,
  SpeedUpCustomerList1795345940981,
  AddCustomerImport1795347288579,
  BackfillOwnedSince1795348755407,
  SlimImportRows1795351166705,
];
