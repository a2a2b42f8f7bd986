// Dispatches Vapi server messages by type and builds exactly the answer Vapi reads (reference/vapi.md):
// tool-calls -> { results: [...] } one entry per call in order; assistant-request -> { assistant };
// transfer-destination-request -> { destination } or { error }; everything else is a notification -> {}.
import type { Logger } from 'pino';
import type { VoiceCallsRepository } from './voice-calls.repository.js';
import type { VoiceCartRepository } from './voice-cart.repository.js';
import type { VoiceTools } from './voice-tools.service.js';
import {
  type VapiEnvelope,
  extractFunctionCall,
  extractToolCalls,
  parseEndOfCallReport,
  unusableIdentifier,
  parseEnvelope,
  parseStatusUpdate,
} from './vapi.messages.js';

export interface WebhookAnswer {
  status: number;
  body: Record<string, unknown>;
}

export interface VapiWebhookOptions {
  restaurantPhone: string | null;
  /** The assistant to hand out on assistant-request (built per call: it says whether we are open). */
  buildAssistant: () => Record<string, unknown>;
  /** Counts a `hang` (metrics are the container's; this module only reports that one happened). */
  onHang: () => void;
}

export class VapiWebhook {
  constructor(
    private readonly tools: VoiceTools,
    private readonly calls: VoiceCallsRepository,
    private readonly carts: VoiceCartRepository,
    private readonly options: VapiWebhookOptions,
    private readonly logger: Logger,
  ) {}

  async handle(body: unknown): Promise<WebhookAnswer> {
    const envelope = parseEnvelope(body);
    if (!envelope) {
      return {
        status: 400,
        body: {
          error: 'invalid_message',
          message: 'Expected a Vapi server message: {"message": {"type": "..."}}.',
        },
      };
    }
    const unusable = unusableIdentifier(envelope);
    if (unusable) {
      return {
        status: 400,
        body: {
          error: 'invalid_message',
          message: `${unusable} is too long or not valid Unicode text, so it cannot be a Vapi identifier.`,
        },
      };
    }
    return { status: 200, body: await this.dispatch(envelope) };
  }

  private async dispatch(envelope: VapiEnvelope): Promise<Record<string, unknown>> {
    const context = { callId: envelope.callId, callerNumber: envelope.callerNumber };
    switch (envelope.type) {
      case 'tool-calls': {
        const results: Array<Record<string, unknown>> = [];
        // In order, one at a time: several calls in one message may act on the same order.
        for (const toolCall of extractToolCalls(envelope.message)) {
          const answer = await this.tools.run(toolCall, context);
          results.push({
            toolCallId: toolCall.id,
            name: toolCall.name,
            ...(answer.isError ? { error: answer.result } : { result: answer.result }),
          });
        }
        return { results };
      }
      case 'function-call': {
        const call = extractFunctionCall(envelope.message);
        if (!call) return { result: 'No function call in the message.' };
        return { result: (await this.tools.run(call, context)).result };
      }
      case 'assistant-request':
        if (envelope.callId) await this.remember(envelope, 'ringing');
        return { assistant: this.options.buildAssistant() };
      case 'transfer-destination-request':
        return this.options.restaurantPhone
          ? {
              destination: {
                type: 'number',
                number: this.options.restaurantPhone,
                message: 'Connecting you to the restaurant now.',
              },
            }
          : { error: 'Sorry, no one is available to take your call right now. Please call back later.' };
      case 'hang':
        // The assistant went silent on a caller (usually waiting for us): an operator's signal, so a warning
        // and a counter. Only the call id: the caller's number is personal data and not needed to find the call.
        this.logger.warn({ callId: envelope.callId }, 'Vapi hang: the assistant was silent too long');
        this.options.onHang();
        return {};
      case 'status-update': {
        const update = parseStatusUpdate(envelope.message);
        if (update.callId) {
          await this.calls.upsertCall({
            callId: update.callId,
            status: update.status,
            endedReason: update.endedReason,
            callerNumber: update.callerNumber,
          });
        }
        return {};
      }
      case 'end-of-call-report': {
        const report = parseEndOfCallReport(envelope.message);
        if (report.callId) {
          const { cost, ...rest } = report;
          await this.calls.upsertCall({ ...rest, callId: report.callId, costUsd: cost, status: 'ended' });
          // The call is over: its cart goes (an order placed from it is already an order).
          await this.carts.delete(report.callId);
        } else {
          this.logger.warn('end-of-call-report without a call id');
        }
        return {};
      }
      default:
        return {};
    }
  }

  private async remember(envelope: VapiEnvelope, status: string): Promise<void> {
    if (!envelope.callId) return;
    await this.calls.upsertCall({ callId: envelope.callId, callerNumber: envelope.callerNumber, status });
  }
}
