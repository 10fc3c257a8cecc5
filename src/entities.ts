import { AuditEntry } from './audit/audit-entry.entity.js';
import { LoginFailure } from './auth/login-failure.entity.js';
import { PortalRequest } from './tickets/portal-request.entity.js';
import { Contact } from './customers/contact.entity.js';
import { Customer } from './customers/customer.entity.js';
import { CustomerImport, CustomerImportRow } from './customers/import/customer-import.entity.js';
import { FollowUp } from './follow-ups/follow-up.entity.js';
import { Opportunity } from './opportunities/opportunity.entity.js';
import { OpportunityStageChange } from './opportunities/opportunity-stage-change.entity.js';
import { QuoteLine } from './opportunities/quotes/quote-line.entity.js';
import { Quote } from './opportunities/quotes/quote.entity.js';
import { Notification } from './notifications/notification.entity.js';
import { OutboxMail } from './notifications/outbox-mail.entity.js';
import { RobotMessage } from './notifications/robots/robot-message.entity.js';
import { SeedRun } from './seed/seed-run.entity.js';
import { Setting } from './common/settings/setting.entity.js';
import { Team } from './users/team.entity.js';
import { User } from './users/user.entity.js';
import { PasswordResetRequest } from './users/password-reset-request.entity.js';
import { PasswordResetToken } from './users/password-reset-token.entity.js';
import { NumberSequence } from './common/sequences/number-sequence.entity.js';
import { Attachment } from './common/attachments/attachment.entity.js';
import { ApiToken } from './auth/api/api-token.entity.js';
import { WebhookDelivery } from './notifications/webhooks/webhook-delivery.entity.js';
import { WebhookEndpoint } from './notifications/webhooks/webhook-endpoint.entity.js';
import { WebhookEvent } from './notifications/webhooks/webhook-event.entity.js';
import { ApprovalApprover } from './approvals/approval-approver.entity.js';
import { ApprovalRound } from './approvals/approval-round.entity.js';
import { ApprovalStep } from './approvals/approval-step.entity.js';
import { BusinessHours } from './common/calendar/business-hours.entity.js';
import { CalendarException } from './common/calendar/calendar-exception.entity.js';
import { Contract } from './contracts/contract.entity.js';
import { ContractLine } from './contracts/contract-line.entity.js';
import { Task } from './automation/task.entity.js';
import { Invoice } from './contracts/invoice.entity.js';
import { PaymentAllocation } from './contracts/payment-allocation.entity.js';
import { PaymentInstallment } from './contracts/payment-installment.entity.js';
import { PaymentPlan } from './contracts/payment-plan.entity.js';
import { Payment } from './contracts/payment.entity.js';
import { ContractRenewalReminder } from './contracts/renewal-reminder.entity.js';
import { CannedReply } from './tickets/canned-reply.entity.js';
import { SlaPolicy } from './tickets/sla-policy.entity.js';
import { RuleFiring } from './rules/rule-firing.entity.js';
import { SurveyResponse } from './tickets/survey-response.entity.js';
import { TicketMessage } from './tickets/ticket-message.entity.js';
import { TicketRouting } from './tickets/ticket-routing.entity.js';
import { Ticket } from './tickets/ticket.entity.js';

/**
 * Every entity of every module, for the tools that need the whole schema at once: the migration
 * generator, the seed CLI, the benchmarks and the test that compares entities with migrations. The app
 * itself loads each module's entities from that module (TypeOrmModule.forFeature).
 */
export const ENTITIES = [
  User,
  Team,
  Customer,
  Contact,
  FollowUp,
  AuditEntry,
  LoginFailure,
  PasswordResetToken,
  PasswordResetRequest,
  PortalRequest,
  Notification,
  OutboxMail,
  RobotMessage,
  SeedRun,
  Setting,
  CustomerImport,
  CustomerImportRow,
  NumberSequence,
  Attachment,
  ApiToken,
  WebhookEndpoint,
  WebhookEvent,
  WebhookDelivery,
  ApprovalRound,
  ApprovalStep,
  ApprovalApprover,
  Opportunity,
  OpportunityStageChange,
  Quote,
  QuoteLine,
  BusinessHours,
  CalendarException,
  Contract,
  ContractLine,
  PaymentPlan,
  PaymentInstallment,
  Payment,
  PaymentAllocation,
  Invoice,
  ContractRenewalReminder,
  Task,
  Ticket,
  TicketMessage,
  SlaPolicy,
  TicketRouting,
  CannedReply,
  SurveyResponse,
  RuleFiring,
];
