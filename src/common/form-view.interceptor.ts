import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { catchError, from, mergeMap, type Observable } from 'rxjs';
import { FORM_VIEW } from './decorators.js';
import { DomainError } from './errors.js';
import { fromUniqueViolation } from './unique-violation.js';
import { FormRejected } from './exception.filter.js';

/**
 * A controller whose forms need more than the typed values (option lists, the stored record) supplies
 * them; `values` are the stored values the typed ones are laid over.
 */
export interface HasFormLocals {
  formLocals(req: Request): Promise<Record<string, unknown>>;
}

/**
 * For handlers marked @FormView(view): a rejected input (validation, stale version, a rule) is turned
 * into FormRejected, so the filter shows the same form again. Not found and forbidden stay what they are.
 */
@Injectable()
export class FormViewInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly moduleRef: ModuleRef,
  ) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const view = this.reflector.get<string | undefined>(FORM_VIEW, ctx.getHandler());
    if (!view) return next.handle();
    return next.handle().pipe(
      catchError((thrown: unknown) => {
        const err = fromUniqueViolation(thrown) ?? thrown;
        if (!(err instanceof DomainError) || err.status === 404 || err.status === 403) throw err;
        const controller = this.moduleRef.get(ctx.getClass(), { strict: false }) as Partial<HasFormLocals>;
        const req = ctx.switchToHttp().getRequest<Request>();
        return from(controller.formLocals ? controller.formLocals(req) : Promise.resolve({})).pipe(
          mergeMap((locals) => {
            throw new FormRejected(view, locals, err);
          }),
        );
      }),
    );
  }
}
