/** The refusals of an import's steps, as coded domain errors the error filter shows in the user's language. */
import { DomainError } from '../../common/errors.js';

/** The upload is no CSV or XLSX Kehu can read. */
export class NotASpreadsheet extends DomainError {
  constructor() {
    super(422, 'import.not_a_spreadsheet');
  }
}

/** The user may not create customers, so may not import them. */
export class NotAllowedToImport extends DomainError {
  constructor() {
    super(403, 'error.forbidden');
  }
}

/** A step of the import is running, or it has moved on: the action no longer applies. */
export class ImportBusy extends DomainError {
  constructor() {
    super(409, 'import.busy');
  }
}
