import { Module } from '@nestjs/common';
import { InboundSmtpServer } from './inbound-smtp.server.js';

/**
 * The inbound mail channel: the SMTP listener and the parse step. The tickets module imports it and
 * provides the INBOUND_MAIL_HANDLER that turns each mail into a ticket or a reply on one.
 */
@Module({
  providers: [InboundSmtpServer],
  exports: [InboundSmtpServer],
})
export class InboundModule {}
