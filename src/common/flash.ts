import type { Request } from 'express';
import type { Params } from '../i18n/i18n.js';

export interface FlashMessage {
  type: 'success' | 'error' | 'info';
  key: string;
  params?: Params;
  /** The refused form it speaks of: shown beside that form, when the page shows it, rather than on top. */
  form?: RefusedForm;
}

/** A form refused on its way back to the page it was on (post/redirect/get), with what was typed. */
export interface RefusedForm {
  /** The form's name: the key of its data in the page's view model, and the id of the element it sits in. */
  name: string;
  /** The page it goes back to (the path, without query or fragment). */
  path: string;
  /** The field the reason is about, if it is one field's. */
  field?: string;
  /** The typed text of the fields the form shows again. */
  values: Record<string, string>;
}

/** What a page shows beside a refused form: the reason (`key`, `params`, `field`) and the typed `values`. */
export type RefusedFormView = Omit<RefusedForm, 'name' | 'path'> & Pick<FlashMessage, 'key' | 'params'>;

/** Queues a message for the next page this session renders (post/redirect/get). */
export function flash(
  req: Request,
  key: string,
  params?: Params,
  type: FlashMessage['type'] = 'success',
  form?: RefusedForm,
): void {
  req.session.flash = [...(req.session.flash ?? []), { type, key, params, ...(form ? { form } : {}) }];
}

/**
 * The queued messages as the page at `path` with view model `model` shows them: a refused form's
 * beside that form (`refusedForms`, by name) when this is its page and the model holds the form's
 * data; every other message on top (`flash`), so that no reason is lost on a page without the form.
 */
export function messagesFor(
  messages: readonly FlashMessage[],
  path: string,
  model: object | undefined,
): { flash: FlashMessage[]; refusedForms: Record<string, RefusedFormView> } {
  const onTop: FlashMessage[] = [];
  const refusedForms: Record<string, RefusedFormView> = {};
  for (const { form, ...message } of messages) {
    const here =
      form && form.path === path && Boolean((model as Record<string, unknown> | undefined)?.[form.name]);
    if (form && here)
      refusedForms[form.name] = {
        key: message.key,
        params: message.params,
        field: form.field,
        values: form.values,
      };
    else onTop.push(message);
  }
  return { flash: onTop, refusedForms };
}

/** Takes the queued messages off the session. */
export function takeFlash(req: Request): FlashMessage[] {
  const messages = req.session?.flash ?? [];
  if (req.session?.flash) delete req.session.flash;
  return messages;
}

/**
 * A `returnTo` only ever points inside the site: one leading slash, and no backslash or control
 * character anywhere (browsers drop tabs and newlines, so `/\t/evil.example` would become `//evil.example`).
 */
export function safeReturnTo(value: unknown, fallback = '/'): string {
  // eslint-disable-next-line no-control-regex
  return typeof value === 'string' && /^\/(?![/\\])[^\\\u0000-\u001f\u007f]*$/.test(value) ? value : fallback;
}

/** What a page POST handler returns with Nest's @Redirect(): a 303, so the browser follows with GET. */
export function seeOther(url: string): { url: string; statusCode: number } {
  return { url, statusCode: 303 };
}
