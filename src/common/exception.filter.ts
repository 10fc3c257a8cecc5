import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { hasKey, isLocale, translate } from '../i18n/i18n.js';
import { isApiRequest } from './api/api-request.js';
import { DomainError, type FieldErrors, type Params, StaleVersion } from './errors.js';
import { safeReturnTo } from './flash.js';
import { requestLocale } from './page-context.middleware.js';
import { LOCALES } from './roles.js';

/** Thrown by FormViewInterceptor: the form `view` must be shown again with the error. */
export class FormRejected extends Error {
  constructor(
    readonly view: string,
    readonly locals: Record<string, unknown>,
    readonly reason: DomainError,
  ) {
    super(reason.message);
  }
}

const STATUS_KEYS: Record<number, string> = {
  400: 'error.bad_request',
  401: 'error.unauthorized',
  403: 'error.forbidden',
  404: 'error.not_found',
  405: 'error.bad_request',
  409: 'error.conflict',
  413: 'error.too_large',
  415: 'error.bad_request',
  422: 'error.validation',
  429: 'error.too_many',
};

interface Described {
  status: number;
  key: string;
  params: Params;
  fields: FieldErrors;
}

/**
 * SQLSTATEs and socket errors that mean the database cannot be reached or is going away (a restart,
 * a failover): class 08 (connection exception), 57P01-57P03 (shut down by the administrator, crashed,
 * cannot connect now), and the connection errors of the pg driver and its pool.
 */
const UNREACHABLE_CODES =
  /^(08\w{3}|57P0[123]|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND)$/;
const UNREACHABLE_MESSAGES =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

/** Whether `err` (or what it wraps: TypeORM's driverError, a cause) says the database is out of reach. */
export function databaseUnreachable(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 3) return false;
  const { code, message, driverError, cause } = err as {
    code?: unknown;
    message?: unknown;
    driverError?: unknown;
    cause?: unknown;
  };
  if (typeof code === 'string' && UNREACHABLE_CODES.test(code)) return true;
  if (typeof message === 'string' && UNREACHABLE_MESSAGES.test(message)) return true;
  // Errors gathered into one (a connection tried on several addresses).
  if (err instanceof AggregateError && err.errors.some((e) => databaseUnreachable(e, depth + 1))) return true;
  return databaseUnreachable(driverError, depth + 1) || databaseUnreachable(cause, depth + 1);
}

function describe(err: unknown): Described {
  if (err instanceof DomainError) {
    const fields = 'fields' in err ? (err.fields as FieldErrors) : {};
    return { status: err.status, key: err.key, params: err.params, fields };
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    return {
      status,
      key: STATUS_KEYS[status] ?? (status >= 500 ? 'error.internal' : 'error.bad_request'),
      params: {},
      fields: {},
    };
  }
  // Express's own refusals before any route (a body that does not parse, too large or in an unknown
  // charset; an address that does not decode) carry their status, as http-errors makes them.
  const status = httpErrorStatus(err);
  if (status !== undefined)
    return { status, key: STATUS_KEYS[status] ?? 'error.bad_request', params: {}, fields: {} };
  // The database away (a restart, a failover): a 503 to try again, not a fault of Kehu's. So is a
  // transaction whose connection the database ended under it (TypeORM then refuses its next statement,
  // its commit included).
  if (
    databaseUnreachable(err) ||
    err instanceof QueryRunnerProviderAlreadyReleasedError ||
    err instanceof QueryRunnerAlreadyReleasedError
  )
    return { status: 503, key: 'error.unavailable', params: {}, fields: {} };
  return { status: 500, key: 'error.internal', params: {}, fields: {} };
}

/** The 4xx status of an error made by http-errors (body-parser, the router), if it is one. */
function httpErrorStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const status =
    (err as { status?: unknown; statusCode?: unknown }).status ??
    (err as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status < 500
    ? status
    : undefined;
}

/**
 * Whether the answer should be JSON: the API, and requests that ask for JSON or send it (a body that
 * failed to parse as JSON included).
 */
function wantsJson(req: Request): boolean {
  return (
    isApiRequest(req) ||
    req.accepts(['html', 'json']) === 'json' ||
    Boolean(req.get('content-type')?.includes('json'))
  );
}

/**
 * The stored values that differ from the typed ones, as the form's fields hold them (text; — for
 * none). Flags and dates are left out: the fields that show this are text inputs and selects.
 */
function differences(
  stored: Record<string, unknown>,
  typed: Record<string, unknown>,
): Record<string, string> {
  const differ: Record<string, string> = {};
  for (const [field, value] of Object.entries(typed)) {
    const saved = stored[field];
    if (field === 'version' || !(field in stored) || typeof saved === 'boolean' || saved instanceof Date)
      continue;
    const text = asFormText(saved);
    if (text !== asFormText(value)) differ[field] = text || '—';
  }
  return differ;
}

/** A value as a form field holds it: text, empty for none. */
const asFormText = (v: unknown): string =>
  v === null || v === undefined
    ? ''
    : typeof v === 'object'
      ? JSON.stringify(v)
      : String(v as string | number);

/** Fields whose typed value is never echoed back into a form. */
const SECRET_FIELD = /password|_csrf/i;

/**
 * Every error ends here: JSON `{statusCode, error, message, details}` under /api, otherwise a page in
 * the user's language (the form again for a rejected form, the login page for a guest, else an error page).
 */
@Catch()
export class AppExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Error');

  catch(err: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    const form = err instanceof FormRejected ? err : undefined;
    const d = describe(form ? form.reason : err);
    if (d.status === 503 && databaseUnreachable(err))
      this.logger.warn(`[${req.id ?? '-'}] ${req.method} ${req.originalUrl}: the database is unreachable`);
    else if (d.status >= 500)
      this.logger.error(
        `[${req.id}] ${req.method} ${req.originalUrl}`,
        err instanceof Error ? err.stack : String(err),
      );
    if (res.headersSent) return;
    // An error met before the page context was set (a body that does not parse) has no language yet.
    const locale = isLocale(req.locale) ? req.locale : requestLocale(req);
    if (!isLocale(res.locals.locale)) {
      Object.assign(res.locals, { locale, locales: LOCALES, currentUrl: '/', path: '', section: '' });
    }
    // An error page is never cached either (it may follow a signed-in page's address).
    res.setHeader('Cache-Control', 'no-store');
    // The database is away for a restart or a failover: worth asking again soon.
    if (d.status === 503) res.setHeader('Retry-After', '30');

    if (wantsJson(req)) {
      const api = isApiRequest(req);
      // The API's own wording where a page's would speak of a form or a page (`api.<key>`).
      const say = (key: string, params?: Params) =>
        translate(locale, api && hasKey(locale, `api.${key}`) ? `api.${key}` : key, params);
      const reason = err instanceof DomainError ? err : undefined;
      const status = (api && reason?.apiStatus) || d.status;
      res.status(status).json({
        // What the API adds for a refusal: the duplicates found, or the record as it now stands.
        ...(api ? reason?.details : {}),
        statusCode: status,
        error: d.key.split('.').pop(),
        message: say(d.key, d.params),
        details: Object.entries(d.fields).flatMap(([field, errs]) =>
          errs.map((e) => ({ field, message: say(e.key, e.params) })),
        ),
      });
      return;
    }
    if (d.status === 401 && !form && req.method === 'GET') {
      res.redirect(303, `/login?returnTo=${encodeURIComponent(safeReturnTo(req.originalUrl))}`);
      return;
    }
    if (form) {
      // Only text is echoed: a field sent as a list or an object (`tier[]=A`, crafted) is shown as
      // the stored value, and its error says why.
      const typed = Object.entries((req.body ?? {}) as Record<string, unknown>).filter(
        ([k, v]) => !SECRET_FIELD.test(k) && typeof v === 'string',
      );
      const stored = (form.locals.values as Record<string, unknown> | undefined) ?? {};
      const values: Record<string, unknown> = { ...stored, ...Object.fromEntries(typed) };
      // Refused as stale, the form carries the stored version from now on, and shows under each field
      // what the newer save holds where it differs: saving again is a deliberate choice.
      const stale = form.reason instanceof StaleVersion;
      if (stale && stored.version !== undefined) values.version = stored.version;
      const hasFieldErrors = Object.keys(d.fields).length > 0;
      res.status(d.status).render(form.view, {
        ...form.locals,
        form: {
          values,
          errors: d.fields,
          error: hasFieldErrors ? null : { key: d.key, params: d.params },
          details: form.reason.details,
          savedMeanwhile: stale ? differences(stored, Object.fromEntries(typed)) : {},
        },
      });
      return;
    }
    // Outside a form, invalid fields can only come from the address (a filter edited by hand, an old
    // link): name them, since there is no form to mark them on.
    const fields = Object.keys(d.fields);
    const message =
      !form && req.method === 'GET' && fields.length > 0
        ? { key: 'error.bad_address', params: { fields: fields.join(', ') } }
        : { key: d.key, params: d.params };
    const links = err instanceof DomainError ? err.links : [];
    // A customer on the portal or a survey is sent on to the portal's form, not to a staff page.
    const customer = /^\/(portal|survey)\//.test(req.path);
    const page = {
      status: d.status,
      message,
      links,
      home: customer
        ? { href: '/portal/tickets/new', key: 'portal.another' }
        : { href: '/', key: 'error.home' },
      ...(customer ? { layout: 'bare' } : {}),
    };
    res.status(d.status).render('errors/error', page, (renderError, html) => {
      if (!renderError) {
        res.send(html);
        return;
      }
      // The error page itself failed: logged, and a plain page in its place, with nothing internal.
      this.logger.error(`[${req.id}] the error page failed`, renderError.stack);
      res.type('text/plain').send(translate(locale, message.key, message.params));
    });
  }
}
