import {
  applyDecorators,
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  SetMetadata,
  UseInterceptors,
} from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { catchError, from, map, type Observable } from 'rxjs';
import { StaleVersion } from '../errors.js';
import { parseId } from '../ids.js';
import type { SessionUser } from '../session-user.js';

const STALE_SHOWS = 'kehu:stale-shows';

/** Reads the record as it now stands, for the answer to a stale edit. */
export type CurrentRecord<C> = (
  controller: C,
  ctx: { user: SessionUser; ids: Record<string, number> },
) => Promise<object>;

/**
 * An API edit refused as stale (409) answers with the record as it now stands (`current`), read by
 * `current`: the client sees what changed and can make its edit again on the current version.
 */
export const StaleShowsCurrent = <C>(current: CurrentRecord<C>) =>
  applyDecorators(SetMetadata(STALE_SHOWS, current), UseInterceptors(StaleVersionInterceptor));

@Injectable()
export class StaleVersionInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly moduleRef: ModuleRef,
  ) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const current = this.reflector.get<CurrentRecord<unknown> | undefined>(STALE_SHOWS, ctx.getHandler());
    if (!current) return next.handle();
    const req = ctx.switchToHttp().getRequest<Request>();
    return next.handle().pipe(
      catchError((err: unknown) => {
        if (!(err instanceof StaleVersion)) throw err;
        const ids: Record<string, number> = {};
        for (const [name, value] of Object.entries(req.params ?? {})) {
          const id = parseId(value as string);
          if (id !== null) ids[name] = id;
        }
        const controller = this.moduleRef.get(ctx.getClass(), { strict: false }) as unknown;
        return from(current(controller, { user: req.user!, ids })).pipe(
          map((record) => {
            err.details = { current: record };
            throw err;
          }),
        );
      }),
    );
  }
}
