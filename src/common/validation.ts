import { applyDecorators, ValidationPipe, type ValidationError } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsBoolean, type ValidationArguments } from 'class-validator';
import { hasKey } from '../i18n/i18n.js';
import { ValidationFailed, type FieldErrors, type Params } from './errors.js';

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

function toFieldErrors(errors: ValidationError[], prefix = ''): FieldErrors {
  const out: FieldErrors = {};
  for (const e of errors) {
    const field = prefix + e.property;
    const errors = Object.entries(e.constraints ?? {}).map(([constraint, message]) => {
      let key = `validation.${constraint}`;
      let params: Params = {};
      if (message.startsWith('{')) ({ key, params } = JSON.parse(message) as { key: string; params: Params });
      return { key: hasKey('en', key) ? key : 'validation.invalid', params };
    });
    // An empty field breaks every rule on it; "required" is the one worth saying.
    const required = errors.find((x) => x.key === 'validation.required');
    if (errors.length)
      out[field] =
        required && (e.value === null || e.value === undefined || e.value === '') ? [required] : errors;
    Object.assign(out, toFieldErrors(e.children ?? [], `${field}.`));
  }
  return out;
}

/** The one pipe for every body and query: unknown fields dropped, errors as locale keys per field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    transform: true,
    exceptionFactory: (errors) => new ValidationFailed(toFieldErrors(errors)),
  });
}

/** Form strings trimmed; an empty field becomes null. */
export const Trimmed = () =>
  Transform(({ value }: { value: unknown }) => {
    if (typeof value !== 'string') return value;
    const v = value.trim();
    return v === '' ? null : v;
  });

/** A checkbox: present ("on", "true", "1") is true, absent is false. Validated, so the whitelist keeps it. */
export const Checkbox = () =>
  applyDecorators(
    Transform(
      ({ value }: { value: unknown }) =>
        value === true || value === 'on' || value === 'true' || value === '1',
    ),
    IsBoolean(),
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
