import { AuditEntry } from '../audit/audit-entry.entity.js';
import { LoginFailure } from '../auth/login-failure.entity.js';
import { Contact } from '../customers/contact.entity.js';
import { Customer } from '../customers/customer.entity.js';
import { CustomerImport, CustomerImportRow } from '../customers/import/customer-import.entity.js';
import { FollowUp } from '../follow-ups/follow-up.entity.js';
import { Notification } from '../notifications/notification.entity.js';
import { OutboxMail } from '../notifications/outbox-mail.entity.js';
import { SeedRun } from '../seed/seed-run.entity.js';
import { Setting } from './setting.entity.js';
import { Team } from '../users/team.entity.js';
import { User } from '../users/user.entity.js';

/** Every entity, listed explicitly so the app, the CLI and the tests load the same classes. */
export const ENTITIES = [
  User,
  Team,
  Customer,
  Contact,
  FollowUp,
  AuditEntry,
  LoginFailure,
  Notification,
  OutboxMail,
  SeedRun,
  Setting,
  CustomerImport,
  CustomerImportRow,
];
