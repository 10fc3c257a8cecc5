import { newFormToken } from '../once-only.js';

/** `{{formToken}}`: a fresh one-time token for a create form (views/partials/once.hbs). */
export function formToken(): string {
  return newFormToken();
}
