// What the assistant is told when the caller (or the model) can fix the problem: a `result` sentence that
// says what to ask next. Vapi speaks a tool's `error` as "couldn't reach our ordering system", so a misheard
// ZIP must never become one; outages are the only errors (voice-tools.service.ts).
import type { ErrorDetail, ValidationError } from '../../errors.js';

type SchemaError = { instancePath: string; message: string; params: unknown };

const MAX_PROBLEMS = 4;

/** One sentence per problem of a refused order or quote, then what to do about them. */
export function describeValidation(error: ValidationError): string {
  const details = error.details ?? [];
  switch (error.code) {
    case 'address_required': {
      const missing = details.map((d) => FIELD_WORDS[String(d.field)] ?? String(d.field));
      return `For delivery I still need the ${joinWords(missing)}. Ask the caller, or take it as pickup.`;
    }
    case 'outside_delivery_zone':
      return `${error.message} Ask the caller for another address, or offer pickup. Nothing was placed.`;
    case 'address_not_found':
      return `${error.message} Ask the caller to repeat the street address, city and ZIP code, or offer pickup.`;
    case 'restaurant_closed':
      return `${error.message} The order can't be placed until then.`;
    default:
      break;
  }
  if (details.length === 0) return error.message;
  const sentences = details.slice(0, MAX_PROBLEMS).map(detailSentence);
  const more = details.length > MAX_PROBLEMS ? ` And ${details.length - MAX_PROBLEMS} more problems.` : '';
  return `${sentences.join(' ')}${more} ${nextStep(details)}`;
}

function detailSentence(detail: ErrorDetail): string {
  if (detail.code === 'invalid_quantity') return 'The quantity must be a whole number from 1 to 99.';
  if (detail.code === 'missing_item') return 'An item has no name.';
  return detail.message;
}

function nextStep(details: readonly ErrorDetail[]): string {
  const codes = new Set(details.map((d) => d.code));
  if (codes.has('sold_out')) return 'Offer the caller something else from the menu.';
  if (codes.has('unknown_item')) return 'Ask the caller what they would like instead.';
  if (codes.has('unknown_option') || codes.has('invalid_options'))
    return 'Ask the caller which option they want.';
  if (codes.has('invalid_quantity')) return 'Ask the caller how many they want.';
  if (codes.has('price_mismatch')) return 'Read the current price to the caller.';
  return 'Ask the caller, then try again.';
}

const FIELD_WORDS: Record<string, string> = {
  delivery_address: 'street address',
  city: 'city',
  zip_code: 'ZIP code',
};

/**
 * Tool arguments the schema refused, as questions for the caller: "The ZIP code I have is 1000; could you
 * repeat it?". One sentence per field, the first problem of each.
 */
export function describeArgumentErrors(
  tool: string,
  errors: readonly SchemaError[],
  args: Record<string, unknown>,
): string {
  const byField = new Map<string, string>();
  for (const error of errors) {
    const missing = (error.params as { requiredProperties?: string[] } | null)?.requiredProperties;
    for (const field of missing ?? [fieldOf(error.instancePath)]) {
      if (!byField.has(field)) byField.set(field, argumentSentence(field, args, error.message));
    }
    if (byField.size >= MAX_PROBLEMS) break;
  }
  return `${[...byField.values()].join(' ')} Then call ${tool} again.`;
}

/** "/items/0/quantity" -> "items[0].quantity" */
function fieldOf(instancePath: string): string {
  return (
    instancePath
      .replace(/^\//, '')
      .replace(/\/(\d+)/g, '[$1]')
      .replace(/\//g, '.') || 'arguments'
  );
}

function argumentSentence(field: string, args: Record<string, unknown>, message: string): string {
  const value = args[field];
  const heard = typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, 40) : null;
  switch (field) {
    case 'zip_code':
      return heard
        ? `The ZIP code I have is ${heard}; could you repeat it? A ZIP code has 5 digits.`
        : 'What is the ZIP code? It has 5 digits.';
    case 'delivery_address':
      return 'Could you repeat the street address?';
    case 'city':
      return 'Which city is the address in?';
    case 'customer_name':
      return 'What name should I put the order under?';
    case 'customer_phone':
      return heard
        ? `The phone number I have is ${heard}; could you repeat it?`
        : 'What number can we reach you at?';
    case 'fulfillment':
      return 'Is this for delivery or pickup?';
    case 'payment':
      return 'Will the caller pay the driver (payment on_delivery) or by a texted link (payment text_link)?';
    case 'notes':
      return 'The special request is too long; keep it to a short sentence.';
    case 'items':
      return 'Which items would you like? Add them with add_item.';
    case 'item':
      return 'Which menu item is that? Use its id from the menu.';
    case 'quantity':
      return 'How many would you like? I can take 1 to 99 of an item.';
    case 'options':
      return 'Options must be a list of option names from the menu.';
    case 'order_id':
      return 'The order number is a whole number; could you repeat it?';
    default:
      if (/^items\[\d+\]\.quantity$/.test(field)) return 'How many of each item? I can take 1 to 99.';
      if (/^items\[\d+\]/.test(field)) return `Item ${itemNumber(field)} needs a menu name and a quantity.`;
      return `${field} ${message}.`;
  }
}

function itemNumber(field: string): number {
  return Number(/\[(\d+)\]/.exec(field)?.[1] ?? 0) + 1;
}

/** ["street address", "city"] -> "street address and city" */
export function joinWords(words: readonly string[]): string {
  if (words.length <= 1) return words[0] ?? '';
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1] ?? ''}`;
}
