import { type ArgumentMetadata, applyDecorators, ValidationPipe, type ValidationError } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsBoolean, type ValidationArguments } from 'class-validator';
import { hasKey } from '../i18n/i18n.js';
import { ValidationFailed, type FieldErrors, type Params } from './errors.js';
import { requestContext } from './request-context.js';

/**
 * A class-validator message that carries a locale key and the constraint's arguments:
 * `@MaxLength(200, { message: keyed('validation.maxLength', 'max') })`.
 * Without a message, a failed constraint `isEmail` shows `validation.isEmail`.
 */
export function keyed(key: string, ...argNames: string[]) {
  return (args: ValidationArguments): string => {
    const params: Params = {};
    argNames.forEach((name, i) => (params[name] = args.constraints[i] as string | number));
    return JSON.stringify({ key, params });
  };
}

/** Constraints whose message names a bound, and the name of its parameter in the locale files. */
const BOUND_PARAM: Record<string, string> = { min: 'min', max: 'max', maxLength: 'max' };

/** Messages saying a value is not even of the field's kind. */
const WRONG_KIND = new Set([
  'validation.isString',
  'validation.isInt',
  'validation.isNumber',
  'validation.isBoolean',
  'validation.isDateString',
]);

/** What a rule keyed "required" says instead when the field was given, but wrongly (see toFieldErrors). */
const GIVEN_BUT_WRONG: Record<string, string> = {
  isIn: 'validation.invalid',
  isString: 'validation.isString',
};

function toFieldErrors(errors: ValidationError[], prefix = ''): FieldErrors {
  const out: FieldErrors = {};
  for (const e of errors) {
    const field = prefix + e.property;
    const empty = e.value === null || e.value === undefined || e.value === '';
    const errors = Object.entries(e.constraints ?? {}).map(([constraint, message]) => {
      let key = `validation.${constraint}`;
      let params: Params = {};
      if (message.startsWith('{')) ({ key, params } = JSON.parse(message) as { key: string; params: Params });
      // A rule that says "required" of an empty field, given something instead, says what is wrong
      // with it: not one of the choices, or not text.
      if (key === 'validation.required' && !empty && constraint in GIVEN_BUT_WRONG)
        return { key: GIVEN_BUT_WRONG[constraint], params: {} };
      if (!message.startsWith('{') && constraint in BOUND_PARAM) {
        // A bound declared without a keyed message (`@Min(1)`) is named only in class-validator's
        // English text ("… must not be less than 1"): its last number is the bound.
        const bound = /(-?\d+(?:\.\d+)?)\D*$/.exec(message);
        if (bound) params = { [BOUND_PARAM[constraint]]: Number(bound[1]) };
      }
      return { key: hasKey('en', key) ? key : 'validation.invalid', params };
    });
    // An empty field breaks every rule on it; "required" is the one worth saying. A value of the wrong
    // kind ("abc" for a number) likewise: its bounds mean nothing yet.
    const required = errors.find((x) => x.key === 'validation.required');
    const wrongKind = errors.find((x) => WRONG_KIND.has(x.key));
    if (errors.length) out[field] = required && empty ? [required] : wrongKind ? [wrongKind] : errors;
    Object.assign(out, toFieldErrors(e.children ?? [], `${field}.`));
  }
  return out;
}

/** Why a text cannot be stored, if it cannot: the locale key of its field's error. */
function unstorable(text: string): string | null {
  // PostgreSQL cannot store NUL in text, and no one types it.
  if (text.includes('\0')) return 'validation.nulCharacter';
  // Half of a UTF-16 surrogate pair (JSON's "\ud800") is no character at all: PostgreSQL refuses it
  // in JSON (the audit trail's diff), and nothing can show it.
  if (/\p{Cs}/u.test(text)) return 'validation.brokenCharacter';
  return null;
}

/**
 * The fields of `value` (a body, a query, a parameter) whose text cannot be stored, by their path
 * (`name`, `contacts.0.mobile`), with the locale key of the reason.
 */
function unstorableFields(
  value: unknown,
  path: string,
  out: [string, string][],
  depth = 0,
): [string, string][] {
  if (typeof value === 'string') {
    const key = unstorable(value);
    if (key) out.push([path || '_', key]);
  } else if (value !== null && typeof value === 'object' && depth < 10) {
    for (const [key, item] of Object.entries(value)) {
      unstorableFields(item, path ? `${path}.${key}` : key, out, depth + 1);
    }
  }
  return out;
}

const PIPE_OPTIONS = {
  whitelist: true,
  transform: true,
  exceptionFactory: (errors: ValidationError[]) => new ValidationFailed(toFieldErrors(errors)),
};

/**
 * Nest's ValidationPipe, refusing first any text with a NUL character or half a surrogate pair in it:
 * for every body, query and route parameter, whatever its DTO says, as a field error (the form shown
 * again with it, or the address named on a GET). A page's empty query parameters are left out.
 */
class KehuValidationPipe extends ValidationPipe {
  /** `strict`: the same checks for the API, where a field the DTO does not know is refused, not dropped. */
  constructor(private readonly strict?: ValidationPipe) {
    super(strict ? PIPE_OPTIONS : { ...PIPE_OPTIONS, forbidNonWhitelisted: true });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (this.strict && requestContext.get()?.api)
      return this.strict.transform(value, metadata) as Promise<unknown>;
    // A filter form sends its "all" choices as empty parameters (?type=billing&priority=): not chosen.
    if (metadata.type === 'query' && value !== null && typeof value === 'object')
      value = Object.fromEntries(Object.entries(value).filter(([, v]) => v !== ''));
    if (metadata.type === 'body' || metadata.type === 'query' || metadata.type === 'param') {
      const fields = unstorableFields(value, metadata.data ?? '', []);
      if (fields.length) {
        throw new ValidationFailed(Object.fromEntries(fields.map(([f, key]) => [f, [{ key }]])));
      }
    }
    return super.transform(value, metadata) as Promise<unknown>;
  }
}

/**
 * The one pipe for every body and query: errors as locale keys per field; unknown fields dropped from
 * a form, refused from an API request (`validation.whitelistValidation`).
 */
export function createValidationPipe(): ValidationPipe {
  return new KehuValidationPipe(new KehuValidationPipe());
}

/** `validateInput` for the API: a field the DTO does not know is refused. */
export async function validateStrictly<T extends object>(dto: new () => T, input: unknown): Promise<T> {
  return (await new KehuValidationPipe().transform(input, { type: 'body', metatype: dto })) as T;
}

/**
 * Form strings trimmed; an empty field becomes null. A number an API client sends for a text field
 * (an amount, a phone) is read as its digits, and then checked as typed text is.
 */
export const Trimmed = () =>
  Transform(({ value }: { value: unknown }) => {
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    if (typeof value !== 'string') return value;
    const v = value.trim();
    return v === '' ? null : v;
  });

/** What a checkbox or an API client may send for yes and for no; anything else is refused. */
const YES = new Set<unknown>([true, 'on', 'true', '1', 1]);
const NO = new Set<unknown>([false, 'off', 'false', '0', 0, '', null, undefined]);

/**
 * A checkbox: present ("on", "true", "1") is true, absent is false; an API's true or false as it is.
 * Any other value (2, "yes") stays, so it is refused rather than read as one or the other. Validated,
 * so the whitelist keeps it.
 */
export const Checkbox = () =>
  applyDecorators(
    Transform(({ value }: { value: unknown }) => (YES.has(value) ? true : NO.has(value) ? false : value)),
    IsBoolean({ message: keyed('validation.isBoolean') }),
  );

/** An integer field; empty becomes null. */
export const IntOrNull = () =>
  Transform(({ value }: { value: unknown }) => {
    if (value === '' || value === null || value === undefined) return null;
    return typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  });

/**
 * Checks `input` against a DTO class exactly as the global pipe checks a body (for a form whose DTO
 * is known only at run time, such as a settings section's): the typed DTO, or ValidationFailed.
 */
export async function validateInput<T extends object>(dto: new () => T, input: unknown): Promise<T> {
  return (await createValidationPipe().transform(input, { type: 'body', metatype: dto })) as T;
}
