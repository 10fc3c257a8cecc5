import { AsyncLocalStorage } from 'node:async_hooks';
import type { Locale } from './roles.js';
import type { SessionUser } from './session-user.js';

export interface RequestContext {
  requestId: string;
  ip: string | null;
  locale: Locale;
  user?: SessionUser;
  /** A request to the JSON API: its input is checked strictly (unknown fields refused). */
  api?: boolean;
}

const storage = new AsyncLocalStorage<RequestContext>();

export const requestContext = {
  run<T>(ctx: RequestContext, fn: () => T): T {
    return storage.run(ctx, fn);
  },
  /** The current request's context, or undefined in jobs and scripts. */
  get(): RequestContext | undefined {
    return storage.getStore();
  },
};
