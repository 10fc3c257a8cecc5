import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { APP_CONFIG, type AppConfig, type InboundSmtpConfig } from '../../config/config.js';
import { parseInboundMail, type InboundMail } from './inbound-mail.js';

/** What takes the mails the listener accepts: the tickets module provides it under INBOUND_MAIL_HANDLER. */
export interface InboundMailHandler {
  /**
   * Takes one accepted mail (never an automatic reply). Resolving acknowledges the mail to the
   * sender's server; rejecting answers it with a temporary failure, so that server tries again later.
   */
  receive(mail: InboundMail): Promise<void>;
}

/**
 * The token the handler is provided under, in whichever module provides it (the tickets module:
 * `{ provide: INBOUND_MAIL_HANDLER, useExisting: … }`). The listener looks it up across the app at start,
 * so the tickets module can import InboundModule without InboundModule importing it back.
 */
export const INBOUND_MAIL_HANDLER = Symbol('INBOUND_MAIL_HANDLER');

/** An SMTP reply to a command or a message: code and text as the client sees them. */
function refusal(responseCode: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode });
}

/**
 * The built-in SMTP listener for inbound mail (INBOUND_SMTP_PORT; off unless set). It takes mail for
 * the configured addresses only, refuses mail over the size limit, parses each accepted mail and
 * hands it to the INBOUND_MAIL_HANDLER; automatic replies and bounces are logged and dropped. A bad
 * or failing mail is logged (sender and Message-ID, never the content) and refused, and the listener
 * carries on. No AUTH and no STARTTLS: it is a mail exchanger that receives, it relays nothing.
 */
@Injectable()
export class InboundSmtpServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(InboundSmtpServer.name);
  private server?: SMTPServer;
  private handler: InboundMailHandler | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly moduleRef: ModuleRef,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const settings = this.config.inboundSmtp;
    if (!settings) return;
    this.handler = this.findHandler();
    if (!this.handler)
      this.logger.warn('No inbound mail handler is registered: accepted mail is logged only');
    const server = this.create(settings);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(settings.port, settings.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err: Error) => this.logger.error(`Inbound SMTP: ${err.message}`));
    this.server = server;
    this.logger.log(`Inbound SMTP listening on ${settings.host}:${this.address()?.port ?? settings.port}`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Where the listener listens (its real port when configured with port 0); null when off. */
  address(): AddressInfo | null {
    const address = this.server?.server.address();
    return address && typeof address === 'object' ? address : null;
  }

  private findHandler(): InboundMailHandler | null {
    try {
      return this.moduleRef.get<InboundMailHandler>(INBOUND_MAIL_HANDLER, { strict: false });
    } catch {
      return null;
    }
  }

  private create(settings: InboundSmtpConfig): SMTPServer {
    const accepted = new Set(settings.addresses);
    return new SMTPServer({
      banner: 'Kehu',
      size: settings.maxBytes,
      rejectOversized: true,
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      maxClients: 100,
      closeTimeout: 5_000,
      onRcptTo: (address, _session, callback) => {
        if (accepted.has(address.address.trim().toLowerCase())) return callback();
        callback(refusal(550, `5.1.1 <${address.address}>: no such mailbox here`));
      },
      onData: (stream, session, callback) => this.onData(stream, session, settings.maxBytes, callback),
    });
  }

  private onData(
    stream: SMTPServerDataStream,
    session: SMTPServerSession,
    maxBytes: number,
    callback: (err?: Error | null) => void,
  ): void {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let answered = false;
    const answer = (err?: Error) => {
      if (answered) return;
      answered = true;
      callback(err);
    };
    stream.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      // Past the limit the rest is read and thrown away: an oversized mail is refused whole.
      if (bytes <= maxBytes) chunks.push(chunk);
    });
    stream.on('error', (err: Error) => {
      this.logger.warn(`Inbound mail from ${this.sender(session)} could not be read: ${err.message}`);
      answer(refusal(451, '4.3.0 Message could not be read, try again later'));
    });
    stream.on('end', () => {
      if (stream.sizeExceeded) {
        this.logger.warn(`Inbound mail from ${this.sender(session)} refused: over ${maxBytes} bytes`);
        return answer(refusal(552, '5.3.4 Message exceeds fixed maximum message size'));
      }
      this.deliver(Buffer.concat(chunks), session).then(
        () => answer(),
        (err: unknown) => answer(err instanceof Error ? err : new Error(String(err))),
      );
    });
  }

  /** Parses and hands on one accepted mail; rejects with the SMTP reply the sender gets. */
  private async deliver(raw: Buffer, session: SMTPServerSession): Promise<void> {
    const sender = this.sender(session);
    let mail: InboundMail;
    try {
      mail = await parseInboundMail(raw);
    } catch (err) {
      this.logger.warn(
        `Inbound mail from ${sender} (${messageIdIn(raw) ?? 'no Message-ID'}) could not be parsed: ${errorText(err)}`,
      );
      throw refusal(554, '5.6.0 Message could not be parsed');
    }
    const envelopeFrom = session.envelope.mailFrom
      ? session.envelope.mailFrom.address.trim().toLowerCase()
      : '';
    // The null sender (MAIL FROM:<>) is how servers send bounces and notifications (RFC 5321).
    const autoReply = mail.autoReply || envelopeFrom === '';
    mail = {
      ...mail,
      autoReply,
      from: mail.from ?? (envelopeFrom ? { address: envelopeFrom, name: '' } : null),
    };
    const id = mail.messageId ?? 'no Message-ID';
    if (mail.autoReply) {
      this.logger.log(`Inbound mail from ${sender} (${id}) is an automatic reply: dropped`);
      return;
    }
    if (!this.handler) {
      this.logger.log(`Inbound mail from ${sender} (${id}) accepted; no handler takes it`);
      return;
    }
    try {
      await this.handler.receive(mail);
      this.logger.debug(`Inbound mail from ${sender} (${id}) accepted`);
    } catch (err) {
      this.logger.error(`Inbound mail from ${sender} (${id}) failed: ${errorText(err)}`);
      throw refusal(451, '4.3.0 Message could not be processed, try again later');
    }
  }

  private sender(session: SMTPServerSession): string {
    const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
    return `<${from}> [${session.remoteAddress}]`;
  }
}

/** The Message-ID header of a raw mail, for the log when it cannot be parsed. */
function messageIdIn(raw: Buffer): string | null {
  const head = raw.subarray(0, 64 * 1024).toString('latin1');
  const end = head.search(/\r?\n\r?\n/);
  return /^message-id:\s*(<[^<>\s]{1,250}>)/im.exec(end < 0 ? head : head.slice(0, end))?.[1] ?? null;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
