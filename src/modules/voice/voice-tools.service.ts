// The tools the voice assistant calls, each answering with one line the assistant can speak. This file runs
// each tool call once per (call, tool call id) within the time limit and turns failures into answers: what
// the caller or the model can fix is a `result` saying what to do next, and only an outage is an `error`
// (Vapi then speaks the tool's request-failed message). The tools themselves live in voice-*.tools.ts.
import type { Logger } from 'pino';
import {
  ConflictError,
  DomainError,
  PaymentDeclinedError,
  UnavailableError,
  ValidationError,
} from '../../errors.js';
import type { MenuCatalog } from '../menu/menu.matcher.js';
import type { MenuService } from '../menu/menu.service.js';
import { findIllFormedText } from '../../shared/well-formed-text.js';
import { spoken } from './voice-answers.js';
import type { ToolAnswer, VoiceCallsRepository } from './voice-calls.repository.js';
import type { CartTools } from './voice-cart.tools.js';
import { describeItem, describeMenu } from './voice-menu.js';
import type { OrderStatusTool } from './voice-order-status.js';
import type { OrderTools } from './voice-order.tools.js';
import { describeValidation } from './voice-problems.js';
import type { ParsedToolCall } from './vapi.messages.js';
import { VOICE_TOOL_NAMES } from './voice-tools.schema.js';

export interface ToolCallContext {
  callId: string | null;
  callerNumber: string | null;
}

export interface VoiceToolsOptions {
  /** Answer within this, even when a provider is slow (Vapi waits 20 s by default; the caller less). */
  timeoutMs: number;
  timeZone: string;
  /** Only with a restaurant phone may an answer offer a transfer. */
  restaurantPhone: string | null;
}

export interface VoiceToolSet {
  cart: CartTools;
  orders: OrderTools;
  status: OrderStatusTool;
  menu: MenuService;
  catalog: MenuCatalog;
}

const STILL_WORKING =
  "I'm still working on that. Please give me a moment, then ask me to check the order status before trying again.";
const POLL_MS = 100;
const NO_CALL =
  'This request has no call id, so there is no order being built: send the items with quote_order.';

export class VoiceTools {
  private readonly inFlight = new Map<string, Promise<ToolAnswer>>();

  constructor(
    private readonly tools: VoiceToolSet,
    private readonly calls: VoiceCallsRepository,
    private readonly options: VoiceToolsOptions,
    private readonly logger: Logger,
  ) {}

  /**
   * Waits for the tool calls still running, including those already answered "still working": at shutdown
   * they must write their order before the database closes, or the caller's order is lost.
   */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /** Runs a tool call once per (call, tool call id) and answers within the time limit. */
  async run(toolCall: ParsedToolCall, context: ToolCallContext): Promise<ToolAnswer> {
    if (toolCall.argsError) {
      return spoken(
        `I couldn't read the arguments for ${toolCall.name} (${toolCall.argsError}). Call ${toolCall.name} again with its arguments as a JSON object.`,
      );
    }
    // The text rule of the HTTP edge (shared/well-formed-text.ts), in words the assistant can act on.
    const unreadable = findIllFormedText(toolCall.args, 'arguments');
    if (unreadable) {
      return spoken(
        `I couldn't read ${unreadable.field} for ${toolCall.name}: it is not valid text. Ask the caller to say it again, then call ${toolCall.name} again.`,
      );
    }
    if (!toolCall.id) return this.withinTime(this.execute(toolCall, context));
    const key = `${context.callId ?? 'no-call'}:${toolCall.id}`;
    const running = this.inFlight.get(key);
    if (running) return this.withinTime(running);
    const work = this.once(key, toolCall, context);
    this.inFlight.set(key, work);
    void work.finally(() => this.inFlight.delete(key)).catch(() => undefined);
    return this.withinTime(work);
  }

  private async once(key: string, toolCall: ParsedToolCall, context: ToolCallContext): Promise<ToolAnswer> {
    if (!(await this.calls.claimToolCall(key, context.callId, toolCall.name))) return this.awaitStored(key);
    const answer = await this.execute(toolCall, context);
    await this.calls.saveToolAnswer(key, answer);
    return answer;
  }

  /** Another process is running the same tool call: wait for its stored answer. */
  private async awaitStored(key: string): Promise<ToolAnswer> {
    const deadline = Date.now() + this.options.timeoutMs;
    while (Date.now() < deadline) {
      const stored = await this.calls.findToolAnswer(key);
      if (stored) return stored;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    return { result: STILL_WORKING, isError: false };
  }

  /** The tool's answer, or a spoken "still working" when it is late; the work itself carries on. */
  private async withinTime(work: Promise<ToolAnswer>): Promise<ToolAnswer> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<ToolAnswer>((resolve) => {
      timer = setTimeout(() => resolve({ result: STILL_WORKING, isError: false }), this.options.timeoutMs);
    });
    try {
      return await Promise.race([work, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async execute(toolCall: ParsedToolCall, context: ToolCallContext): Promise<ToolAnswer> {
    const args = toolCall.args ?? {};
    const { cart, orders, status } = this.tools;
    const callId = context.callId;
    try {
      switch (toolCall.name) {
        case 'get_menu':
          return spoken(this.getMenu(args));
        case 'add_item':
          return spoken(callId ? await cart.add(callId, args) : NO_CALL);
        case 'remove_item':
          return spoken(callId ? await cart.remove(callId, args) : NO_CALL);
        case 'list_order':
          return spoken(callId ? await cart.list(callId) : NO_CALL);
        case 'quote_order':
          return spoken(await orders.quote(args, context));
        case 'place_order':
          return spoken(await orders.place(args, context, toolCall.id));
        case 'cancel_order':
          return spoken(await orders.cancel(args, context));
        case 'check_order_status':
          return spoken(await status.answer(args, context));
        default:
          return spoken(
            `There is no tool called ${toolCall.name}. Use one of: ${VOICE_TOOL_NAMES.join(', ')}.`,
          );
      }
    } catch (error) {
      return this.explain(error, toolCall.name);
    }
  }

  private getMenu(args: Record<string, unknown>): string {
    const asked = typeof args.item === 'string' ? args.item.trim() : '';
    if (asked === '') {
      const category = typeof args.category === 'string' ? args.category : undefined;
      return describeMenu(this.tools.menu.view(category), this.options.timeZone);
    }
    const found = this.tools.catalog.findItem(asked);
    if (found) return describeItem(this.tools.menu.item(found.id));
    const close = this.tools.catalog.suggestItems(asked);
    return `We don't have '${asked.slice(0, 60)}' on the menu.${close.length > 0 ? ` The closest is ${close.join(' or ')}.` : ''}`;
  }

  /** What the caller or the model can fix is a result; an outage (or a bug) is an error. */
  private explain(error: unknown, tool: string): ToolAnswer {
    if (error instanceof ValidationError) return spoken(describeValidation(error));
    if (error instanceof PaymentDeclinedError) {
      return spoken(
        `Sorry, the payment was declined: ${error.message} The order was not placed. Offer the caller to pay the driver or at the counter instead (payment on_delivery).`,
      );
    }
    if (error instanceof ConflictError) {
      return spoken(
        'That order is still being placed. Give me a moment, then ask me to check the order status.',
      );
    }
    if (error instanceof UnavailableError) {
      const transfer = this.options.restaurantPhone ? ', or to transfer the caller to the restaurant' : '';
      return {
        result: `Our ordering system is not answering right now, so nothing was done. Offer to try again in a moment${transfer}.`,
        isError: true,
      };
    }
    if (error instanceof DomainError && error.status < 500) return spoken(error.message);
    this.logger.error({ err: error, tool }, 'voice tool failed');
    const transfer = this.options.restaurantPhone ? ' Offer to transfer the caller to the restaurant.' : '';
    return { result: `Something went wrong on our side, so nothing was done.${transfer}`, isError: true };
  }
}
