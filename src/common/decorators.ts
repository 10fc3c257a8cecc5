import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import type { SessionUser } from './session-user.js';
import type { Role } from './roles.js';

export const IS_PUBLIC = 'kehu:public';
export const ROLES_KEY = 'kehu:roles';
export const FORM_VIEW = 'kehu:form-view';
export const REFUSAL_PATH = 'kehu:refusal-path';
export const REFUSAL_FORM = 'kehu:refusal-form';

/** The route needs no signed-in user. Every other route does. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Only these roles may call the route (admin always may). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/** What a form's view model is built from when the form is shown again: typed, never the raw request. */
export interface FormContext {
  user: SessionUser;
  /** The route's record ids (`/customers/:id/contacts/:contactId` gives `{ id, contactId }`). */
  ids: Record<string, number>;
  /** Every route parameter as text (an import's uuid, a settings section's key). */
  params: Record<string, string>;
  /** What the form sent, as typed: read a field with a parser (`parseId(input.customerId)`), never trusted as is. */
  input: Readonly<Record<string, unknown>>;
}

/** Builds the view model of a form page (option lists, the stored record) for `controller`. */
export type FormModel<C> = (controller: C, ctx: FormContext) => Promise<object> | object;

export interface FormViewOptions<C> {
  view: string;
  model?: FormModel<C>;
}

/**
 * The POST handler belongs to the form in `view`: when it fails validation, hits a stale version or
 * breaks a rule, that view is rendered again (status 422 or 409) from `model`, with the errors beside
 * the fields and the typed values kept.
 */
export const FormView = <C>(view: string, model?: FormModel<C>) =>
  SetMetadata(FORM_VIEW, { view, model } satisfies FormViewOptions<C>);

/** A form that posts away from its page (RefusalGoesTo): how it is shown again there when refused. */
export interface RefusedFormOptions {
  /** The form's name: the key of its data in the page's view model, and the id of its element. */
  name: string;
  /** The fields whose typed text the form shows again. */
  keep: readonly string[];
}

/**
 * A refused action (a rule such as the pool's cap, answered 409) goes back to `path` with the reason
 * as a flash message instead of an error page. `:name` in the path is the route's id of that name.
 * With `form`, the refusal goes back to the page the form was on (its `returnTo`, when inside the
 * site; else `path`), scrolled to the form, with the reason beside it and the `keep` fields as typed.
 */
export const RefusalGoesTo = (path: string, form?: RefusedFormOptions) =>
  applyDecorators(SetMetadata(REFUSAL_PATH, path), ...(form ? [SetMetadata(REFUSAL_FORM, form)] : []));

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): SessionUser => {
  const user = ctx.switchToHttp().getRequest<Request>().user as SessionUser | undefined;
  if (!user) throw new Error('CurrentUser used on a public route');
  return user;
});

/** A form page as first shown: the stored values (or a new record's defaults) and no errors yet. */
export function freshForm<M extends object>(model: M): M & { form: { values: object; errors: object } } {
  const values = (model as { values?: object }).values ?? {};
  return { ...model, form: { values, errors: {} } };
}
