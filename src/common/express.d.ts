import type { SessionUser } from './session-user.ts';
import type { Locale } from './roles.ts';
import type { FlashMessage } from './flash.ts';

declare global {
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends SessionUser {}
    interface Request {
      id: string;
      locale: Locale;
    }
  }
}

declare module 'express-session' {
  interface SessionData {
    csrfToken: string;
    flash: FlashMessage[];
    locale: Locale;
  }
}
