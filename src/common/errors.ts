/**
 * Coded domain errors. Services throw these; one filter maps them to a status and, for pages, an
 * error page or the re-rendered form, in the user's language. `key` is a locale-file key.
 */
export type Params = Record<string, string | number>;
export interface FieldError {
  key: string;
  params?: Params;
}
export type FieldErrors = Record<string, FieldError[]>;

export class DomainError extends Error {
  /**
   * Extra data a re-rendered form shows (as `form.details`), e.g. the possible duplicates; the API
   * answers it beside the message (`duplicates`, `current`).
   */
  details: Record<string, unknown> = {};

  /** The status the API answers with where it differs from the page's (a duplicate is a 409 there). */
  apiStatus?: number;

  /** Ways on that an error page offers besides going home: a link each, its text a locale key. */
  links: { href: string; key: string; params?: Params }[] = [];

  constructor(
    readonly status: number,
    readonly key: string,
    readonly params: Params = {},
  ) {
    super(key);
    this.name = new.target.name;
  }
}

export class NotFound extends DomainError {
  constructor() {
    super(404, 'error.not_found');
  }
}

export class NotAllowed extends DomainError {
  constructor() {
    super(403, 'error.forbidden');
  }
}

export class CsrfRejected extends DomainError {
  constructor() {
    super(403, 'error.csrf');
  }
}

/** A form sent after its session ended (signed out, timed out, deactivated): nothing was saved. */
export class SessionEnded extends DomainError {
  constructor() {
    super(401, 'error.session_ended');
  }
}

/**
 * An action the record's status does not allow now (approving a draft, editing a won deal, resolving
 * a closed ticket): a conflict with its state, whoever asks. `key` says it for the record's kind.
 */
export class WrongStatus extends DomainError {
  constructor(key: string) {
    super(409, key);
  }
}

/** Someone saved the record after this form was opened. */
export class StaleVersion extends DomainError {
  constructor() {
    super(409, 'error.stale_version');
  }
}

/** An edit must say which version it was made on; without one it could overwrite someone's save unseen. */
export function editedVersion(version: number | undefined): number {
  if (version === undefined) throw ValidationFailed.field('_', 'validation.versionMissing');
  return version;
}

/** Input that breaks a rule; errors are keyed by field name (`_` for the form as a whole). */
export class ValidationFailed extends DomainError {
  constructor(readonly fields: FieldErrors) {
    super(422, 'error.validation');
  }

  static field(name: string, key: string, params?: Params): ValidationFailed {
    return new ValidationFailed({ [name]: [{ key, params }] });
  }
}

/** Not an error: the form is shown again as typed, e.g. to refresh dependent lists without JavaScript. */
export class FormRedisplay extends DomainError {
  constructor() {
    super(200, 'form.refreshed');
  }
}

export class InvalidCredentials extends DomainError {
  constructor() {
    super(401, 'auth.invalid_credentials');
  }
}

export class LoginThrottled extends DomainError {
  constructor(minutes: number) {
    super(429, 'auth.throttled', { minutes });
  }
}
