// The function tools the Vapi assistant may call, generated from the menu. Item and option names are enums
// so the model can only ask for what the menu sells; the webhook still matches names loosely and re-prices
// everything, so these schemas guide the model and never replace server-side validation.
import type { MenuView } from '../menu/menu.schemas.js';

export const VOICE_TOOL_NAMES = ['get_menu', 'quote_order', 'place_order', 'check_order_status'] as const;
export type VoiceToolName = (typeof VOICE_TOOL_NAMES)[number];

/** A Vapi tool definition (CreateFunctionToolDTO or a built-in such as endCall), as plain JSON. */
export type VapiTool = Record<string, unknown>;

export interface ToolServer {
  /** The full webhook URL, e.g. https://orders.example.com/webhook/vapi. */
  url: string;
  /** Sent by Vapi as X-Vapi-Secret; null when none is configured. */
  secret: string | null;
}

type JsonSchema = Record<string, unknown>;

const SERVER_TIMEOUT_SECONDS = 20;
// Spoken only when we have not answered by then; most tool calls finish well before.
const DELAYED_AFTER_MS = 4000;
// Spoken instead of a model reply when our webhook fails; an offer rather than a promise, so the caller's
// answer (not a sentence the model may not follow through on) decides between a retry and a transfer.
const FAILED_MESSAGE =
  "Sorry, I couldn't reach our ordering system. I can try again, or connect you to the restaurant.";
const FAILED_MESSAGE_NO_TRANSFER = "Sorry, I couldn't reach our ordering system just now. Shall I try again?";
const ZIP_PATTERN = '^[0-9]{5}(-[0-9]{4})?$';

/**
 * The four function tools plus Vapi's built-ins: endCall always, transferCall only when the restaurant has
 * a phone number (a transferCall without destinations would make Vapi ask us for one on every transfer).
 */
export function buildVoiceTools(
  menu: MenuView,
  server: ToolServer,
  restaurantPhone: string | null = null,
): VapiTool[] {
  const canTransfer = restaurantPhone !== null;
  const fn = (name: VoiceToolName, description: string, parameters: JsonSchema, startMessage: string) =>
    functionTool(name, description, parameters, startMessage, server, canTransfer);
  const order = orderProperties(menu);

  const tools: VapiTool[] = [
    fn(
      'get_menu',
      'Get the menu with descriptions, options and prices, and whether the restaurant is open now. Call it ' +
        'when the caller asks what is in a dish, about something not in your instructions, or whether we are open.',
      {
        type: 'object',
        properties: {
          category: withEnum(
            { type: 'string', description: 'Only this category; omit for the whole menu' },
            menu.categories,
          ),
        },
      },
      'One moment.',
    ),
    fn(
      'quote_order',
      'Price the order and check the delivery address without placing or charging anything. Call it once ' +
        'the caller has chosen the items (and, for delivery, given the address), then read the items and the ' +
        'total back exactly as the result says. Call it again after any change.',
      { type: 'object', properties: order, required: ['fulfillment', 'items'] },
      'Let me check that.',
    ),
    fn(
      'place_order',
      'Place the order. It is paid to the driver on delivery or at the counter at pickup, or by a secure payment ' +
        'link texted to the caller (payment text_link); nothing is ever charged by phone. Call it only after you ' +
        'read back the quote_order total and the caller explicitly said yes. Call it once per order: repeating it ' +
        'returns the same order.',
      {
        type: 'object',
        properties: {
          customer_name: { type: 'string', minLength: 1, maxLength: 100, description: "The caller's name" },
          customer_phone: {
            type: 'string',
            maxLength: 25,
            description:
              "Only if the caller gives a different number; the caller's own number is used otherwise",
          },
          ...order,
          notes: {
            type: 'string',
            maxLength: 500,
            description: 'Special requests, e.g. "ring the bell", "well done"',
          },
          payment: {
            type: 'string',
            enum: ['on_delivery', 'text_link'],
            description:
              'on_delivery (the default): paid to the driver, or at the counter for pickup. text_link: a secure ' +
              'payment link is texted to the phone number; the kitchen starts once it is paid',
          },
          additional_order: {
            type: 'boolean',
            description:
              'true ONLY when the caller explicitly asks for a second, separate order in this call; otherwise omit',
          },
        },
        required: ['customer_name', 'items', 'fulfillment'],
      },
      'Placing your order now.',
    ),
    fn(
      'check_order_status',
      "Look up an existing order's status. Uses the order number if given, otherwise the phone number " +
        "(the caller's own number when omitted).",
      {
        type: 'object',
        properties: {
          order_id: { type: 'integer', minimum: 1, description: 'The order number' },
          phone: { type: 'string', maxLength: 25, description: 'The phone number the order was placed with' },
        },
      },
      'Let me look that up.',
    ),
  ];
  if (restaurantPhone !== null) {
    tools.push({
      type: 'transferCall',
      destinations: [
        {
          type: 'number',
          number: restaurantPhone,
          description: 'the restaurant staff',
          message: 'Connecting you to the restaurant now.',
        },
      ],
    });
  }
  tools.push({ type: 'endCall' });
  return tools;
}

/** The order fields quote_order and place_order share (mirroring CreateOrderBody). */
function orderProperties(menu: MenuView): Record<string, JsonSchema> {
  const itemNames = unique(menu.items.map((i) => i.name));
  const optionNames = unique(
    menu.items.flatMap((i) => i.option_groups.flatMap((g) => g.options.map((o) => o.name))),
  );
  const line: Record<string, JsonSchema> = {
    name: withEnum({ type: 'string', description: 'Exact menu item name' }, itemNames),
    quantity: { type: 'integer', minimum: 1, maximum: 20 },
  };
  if (optionNames.length > 0) {
    line.options = {
      type: 'array',
      maxItems: 20,
      description: 'Chosen options of this item, e.g. a size and toppings; omit for none',
      items: withEnum({ type: 'string' }, optionNames),
    };
  }
  return {
    fulfillment: { type: 'string', enum: ['delivery', 'pickup'] },
    delivery_address: {
      type: 'string',
      maxLength: 200,
      description: 'Street address; required for delivery',
    },
    city: { type: 'string', maxLength: 100, description: 'City; required for delivery' },
    zip_code: { type: 'string', pattern: ZIP_PATTERN, description: 'US ZIP code; required for delivery' },
    items: {
      type: 'array',
      minItems: 1,
      maxItems: 50,
      items: { type: 'object', properties: line, required: ['name', 'quantity'] },
    },
  };
}

function functionTool(
  name: VoiceToolName,
  description: string,
  parameters: JsonSchema,
  startMessage: string,
  server: ToolServer,
  canTransfer: boolean,
): VapiTool {
  return {
    type: 'function',
    async: false,
    function: { name, description, parameters },
    server: {
      url: server.url,
      timeoutSeconds: SERVER_TIMEOUT_SECONDS,
      ...(server.secret !== null ? { secret: server.secret } : {}),
    },
    messages: [
      { type: 'request-start', content: startMessage, blocking: false },
      {
        type: 'request-response-delayed',
        content: 'Still working on it, thanks for your patience.',
        timingMilliseconds: DELAYED_AFTER_MS,
      },
      { type: 'request-failed', content: canTransfer ? FAILED_MESSAGE : FAILED_MESSAGE_NO_TRANSFER },
    ],
  };
}

/** An enum of no values would match nothing; without values the property stays a free string. */
function withEnum(schema: JsonSchema, values: string[]): JsonSchema {
  return values.length > 0 ? { ...schema, enum: values } : schema;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
