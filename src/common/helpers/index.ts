import { concat } from './concat.js';
import { date, datetime } from './date.js';
import { eq } from './eq.js';
import { filtersUsed } from './filters-used.js';
import { formToken } from './form-token.js';
import { json } from './json.js';
import { money } from './money.js';
import { options } from './options.js';
import { paren } from './paren.js';
import { query } from './query.js';
import { regionList } from './region-list.js';
import { hasKey, labelOf } from './saved-meanwhile.js';
import { t } from './t.js';
import { withColon } from './with-colon.js';

export const HELPERS = {
  t,
  withColon,
  paren,
  eq,
  date,
  datetime,
  options,
  concat,
  query,
  filtersUsed,
  hasKey,
  labelOf,
  money,
  regionList,
  formToken,
  json,
};
