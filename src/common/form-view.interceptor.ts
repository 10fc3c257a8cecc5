import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { catchError, from, map, type Observable, of } from 'rxjs';
import {
  FORM_VIEW,
  type FormContext,
  type FormViewOptions,
  REFUSAL_FORM,
  REFUSAL_PATH,
  type RefusedFormOptions,
} from './decorators.js';
import { DomainError, ValidationFailed } from './errors.js';
import { FormRejected } from './exception.filter.js';
import { flash, safeReturnTo, seeOther } from './flash.js';
import { parseId } from './ids.js';
import { fromUniqueViolation } from './unique-violation.js';

/**
 * A route's parameters: all of them as text, and those that are record ids as numbers. (The handler's
 * own pipes have already refused a malformed id: the form is only shown again for a valid route.)
 */
function routeParams(req: Request): Pick<FormContext, 'ids' | 'params'> {
  const params = { ...(req.params ?? {}) } as Record<string, string>;
  const ids: Record<string, number> = {};
  for (const [name, value] of Object.entries(params)) {
    const id = parseId(value);
    if (id !== null) ids[name] = id;
  }
  return { ids, params };
}

/**
 * The most of a field's typed text a refused form keeps in the session for its page: more than any
 * form's field holds (a crafted send is cut, not stored whole with the session).
 */
const KEPT_TEXT_MOST = 10_000;

/** Not found and forbidden stay what they are: the form is not shown again for a record one may not touch. */
const isRejectedInput = (err: unknown): err is DomainError =>
  err instanceof DomainError && err.status !== 404 && err.status !== 403;

/**
 * For handlers marked @FormView: rejected input (validation, a stale version, a rule) becomes
 * FormRejected with the form's view model, so the filter shows the same form again.
 * For handlers marked @RefusalGoesTo: a refusal becomes a flash message on that page, or, for a form
 * posted from another page, a message beside that form there with what was typed (RefusedForm).
 */
@Injectable()
export class FormViewInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly moduleRef: ModuleRef,
  ) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const form = this.reflector.get<FormViewOptions<unknown> | undefined>(FORM_VIEW, ctx.getHandler());
    const refusalPath = this.reflector.get<string | undefined>(REFUSAL_PATH, ctx.getHandler());
    const refusedForm = this.reflector.get<RefusedFormOptions | undefined>(REFUSAL_FORM, ctx.getHandler());
    if (!form && !refusalPath) return next.handle();
    const req = ctx.switchToHttp().getRequest<Request>();
    return next.handle().pipe(
      catchError((thrown: unknown) => {
        const err = fromUniqueViolation(thrown) ?? thrown;
        if (!isRejectedInput(err)) throw err;
        if (refusalPath) {
          // The page it goes to has no fields to mark: a field's own message says what was wrong.
          const [field, [fieldError] = []] =
            err instanceof ValidationFailed
              ? (Object.entries(err.fields).find(([, errors]) => errors.length > 0) ?? [])
              : [];
          const key = fieldError?.key ?? err.key;
          const params = fieldError?.params ?? err.params;
          const body = (req.body ?? {}) as Record<string, unknown>;
          // A form from another page goes back there, to be shown again with the reason beside it.
          const back = refusedForm ? safeReturnTo(body.returnTo, '') : '';
          if (refusedForm && back) {
            const values = Object.fromEntries(
              refusedForm.keep.flatMap((k) =>
                typeof body[k] === 'string' ? [[k, body[k].slice(0, KEPT_TEXT_MOST)]] : [],
              ),
            ) as Record<string, string>;
            const path = back.split(/[?#]/)[0];
            flash(req, key, params, 'error', { name: refusedForm.name, path, field, values });
            return of(seeOther(back.includes('#') ? back : `${back}#${refusedForm.name}`));
          }
          flash(req, key, params, 'error');
          const { params: route } = routeParams(req);
          const path = refusalPath.replace(/:(\w+)/g, (_, name: string) =>
            encodeURIComponent(route[name] ?? ''),
          );
          return of(seeOther(path));
        }
        const controller = this.moduleRef.get(ctx.getClass(), { strict: false }) as unknown;
        const input = (req.body ?? {}) as Record<string, unknown>;
        const formCtx: FormContext = { user: req.user!, ...routeParams(req), input };
        return from(Promise.resolve(form!.model ? form!.model(controller, formCtx) : {})).pipe(
          map((locals) => {
            throw new FormRejected(form!.view, locals as Record<string, unknown>, err);
          }),
        );
      }),
    );
  }
}
