// The function tools the Vapi assistant may call, generated from the menu. Item ids and option names are enums
// so the model can only ask for what the menu sells; the webhook still matches names loosely, checks every
// limit and re-prices everything, so these schemas guide the model and never replace server-side validation.
// Parameters use only the keywords Vapi's JsonSchema type documents (type, items, properties, description,
// pattern, format, required, enum, title): no minimum, maxLength or maxItems; the webhook enforces the limits.
import type { MenuView } from '../menu/menu.schemas.js';
import { type ToolServer, functionTool } from './vapi-tool.js';

export const VOICE_TOOL_NAMES = [
  'get_menu',
  'add_item',
  'remove_item',
  'list_order',
  'quote_order',
  'place_order',
  'cancel_order',
  'check_order_status',
] as const;
export type VoiceToolName = (typeof VOICE_TOOL_NAMES)[number];

/** A Vapi tool definition (CreateFunctionToolDTO or a built-in such as endCall), as plain JSON. */
export type VapiTool = Record<string, unknown>;

type JsonSchema = Record<string, unknown>;

const ZIP_PATTERN = '^[0-9]{5}(-[0-9]{4})?$';
const NO_ARGUMENTS: JsonSchema = { type: 'object', properties: {} };

/**
 * The function tools plus Vapi's built-ins: endCall always, transferCall only when the restaurant has a phone
 * number (a transferCall without destinations would make Vapi ask us for one on every transfer). Without
 * `paymentLinks` (PAYMENT_LINKS=off) place_order has no `payment` choice: every order is paid on delivery.
 */
export function buildVoiceTools(
  menu: MenuView,
  server: ToolServer,
  restaurantPhone: string | null = null,
  paymentLinks = true,
): VapiTool[] {
  const canTransfer = restaurantPhone !== null;
  const fn = (name: VoiceToolName, description: string, parameters: JsonSchema, startMessage: string) =>
    functionTool({ name, description, parameters, startMessage, server, canTransfer });
  const order = orderProperties(menu);
  const options = optionsProperty(menu);

  const tools: VapiTool[] = [
    fn(
      'get_menu',
      "Look up a dish's description, options and price (or that it is sold out today), a category, or whether " +
        'we are open. Call it when the caller asks about something your instructions do not answer.',
      {
        type: 'object',
        properties: {
          category: withEnum(
            { type: 'string', description: 'Only this category; omit for the whole menu' },
            menu.categories,
          ),
          item: {
            type: 'string',
            description: 'The dish the caller asks about, in their words, e.g. "veggie pizza"',
          },
        },
      },
      'One moment.',
    ),
    fn(
      'add_item',
      'Add an item to the order as soon as the caller chooses it, once per item. The result says what was ' +
        'added and the running subtotal.',
      {
        type: 'object',
        properties: {
          // The assistant is built per call, so a dish sold out when the call starts cannot be asked for.
          item: withEnum(
            { type: 'string', description: 'The menu id in brackets, e.g. pizza-margherita' },
            menu.items.filter((i) => !i.sold_out).map((i) => i.id),
          ),
          quantity: { type: 'integer', description: 'How many, e.g. 2' },
          ...options,
        },
        required: ['item', 'quantity'],
      },
      'Adding that.',
    ),
    fn(
      'remove_item',
      'Take an item off the order when the caller changes their mind.',
      {
        type: 'object',
        properties: {
          // Every id: an item added before it sold out must still be removable.
          item: withEnum(
            { type: 'string', description: 'The menu id of the item to take off' },
            menu.items.map((i) => i.id),
          ),
          quantity: { type: 'integer', description: 'How many to take off; omit to remove all of that item' },
        },
        required: ['item'],
      },
      'Taking that off.',
    ),
    fn(
      'list_order',
      'Read back the items added so far with their subtotal. Call it when the caller asks what they have ordered.',
      NO_ARGUMENTS,
      'One second.',
    ),
    fn(
      'quote_order',
      'Price the order and check the delivery address without placing or charging anything. Call it without ' +
        'items once the caller has ordered (and, for delivery, given the address), then read back exactly what ' +
        'it says. Call it again after any change.',
      { type: 'object', properties: order, required: ['fulfillment'] },
      'Let me check that.',
    ),
    fn(
      'place_order',
      'Place the order. It is paid to the driver on delivery or at the counter at pickup' +
        (paymentLinks ? ', or by a secure payment link texted to the caller (payment text_link)' : '') +
        '; nothing is ever charged by phone. Call it without items, only after you read back the quote_order ' +
        'total and the caller explicitly said yes. Call it once per order: repeating it returns the same order.',
      {
        type: 'object',
        properties: {
          customer_name: { type: 'string', description: "The caller's name" },
          customer_phone: {
            type: 'string',
            description:
              "Only if the caller gives a different number; the caller's own number is used otherwise",
          },
          ...order,
          notes: { type: 'string', description: 'Special requests, e.g. "ring the bell", "well done"' },
          ...(paymentLinks ? { payment: PAYMENT_CHOICE } : {}),
          additional_order: {
            type: 'boolean',
            description:
              'true ONLY when the caller explicitly asks for a second, separate order in this call; otherwise omit',
          },
        },
        required: ['customer_name', 'fulfillment'],
      },
      'Placing your order now.',
    ),
    fn(
      'cancel_order',
      'Cancel the order placed in this call (refunded if it was paid); its items stay on the order so they can ' +
        'be changed and placed again. Use it when the caller wants to change or cancel an order already placed ' +
        'in this call; confirm with the caller first.',
      NO_ARGUMENTS,
      'Cancelling that order.',
    ),
    fn(
      'check_order_status',
      "Look up the status of an order placed in this call or from the caller's own number. Call it when the " +
        'caller asks about an existing order.',
      {
        type: 'object',
        properties: {
          order_id: { type: 'integer', description: 'The order number, if the caller gives one' },
        },
      },
      'Let me look that up.',
    ),
  ];
  if (canTransfer) {
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

const PAYMENT_CHOICE: JsonSchema = {
  type: 'string',
  enum: ['on_delivery', 'text_link'],
  description:
    'on_delivery (the default): paid to the driver, or at the counter for pickup. text_link: a secure ' +
    'payment link is texted to the phone number; the kitchen starts once it is paid',
};

/** The order fields quote_order and place_order share (mirroring CreateOrderBody, items optional). */
function orderProperties(menu: MenuView): Record<string, JsonSchema> {
  const line: Record<string, JsonSchema> = {
    name: withEnum(
      { type: 'string', description: 'Exact menu item name' },
      unique(menu.items.map((i) => i.name)),
    ),
    quantity: { type: 'integer' },
    ...optionsProperty(menu),
  };
  return {
    fulfillment: { type: 'string', enum: ['delivery', 'pickup'] },
    delivery_address: { type: 'string', description: 'Street address; required for delivery' },
    city: { type: 'string', description: 'City; required for delivery' },
    zip_code: { type: 'string', pattern: ZIP_PATTERN, description: 'US ZIP code; required for delivery' },
    items: {
      type: 'array',
      description:
        'Omit: the items added with add_item are used. Only for a second, separate order or an assistant ' +
        'that sends the whole order',
      items: { type: 'object', properties: line, required: ['name', 'quantity'] },
    },
  };
}

/** `options`, an array of every option name on the menu; nothing when the menu has no options. */
function optionsProperty(menu: MenuView): Record<string, JsonSchema> {
  const names = unique(
    menu.items.flatMap((i) => i.option_groups.flatMap((g) => g.options.map((o) => o.name))),
  );
  if (names.length === 0) return {};
  return {
    options: {
      type: 'array',
      description: 'Chosen options of this item, e.g. a size and toppings; omit for none',
      items: { type: 'string', enum: names },
    },
  };
}

/** An enum of no values would match nothing; without values the property stays a free string. */
function withEnum(schema: JsonSchema, values: string[]): JsonSchema {
  return values.length > 0 ? { ...schema, enum: values } : schema;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
