// `{{order_id}}` (the latest order of this call) and `{{order_id:<call>}}` (of another call of the scenario)
// in tool arguments and expected texts, so a scenario can name an order number it cannot know in advance.

const TEMPLATE = /\{\{order_id(?::([a-z][a-z0-9-]*))?\}\}/g;
const WHOLE = /^\{\{order_id(?::([a-z][a-z0-9-]*))?\}\}$/;

/** The order number for a call label (`main` when the template names none). */
export type OrderIdOf = (label: string) => Promise<number>;

/** Fills every string in `value`; a string that is only a template becomes the number, as Vapi sends it. */
export async function fillValue(value: unknown, orderId: OrderIdOf): Promise<unknown> {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    return whole ? orderId(whole[1] ?? 'main') : fillText(value, orderId);
  }
  if (Array.isArray(value)) return Promise.all(value.map((v) => fillValue(v, orderId)));
  if (value !== null && typeof value === 'object') {
    const entries = await Promise.all(
      Object.entries(value).map(async ([k, v]) => [k, await fillValue(v, orderId)] as const),
    );
    return Object.fromEntries(entries);
  }
  return value;
}

export async function fillText(text: string, orderId: OrderIdOf): Promise<string> {
  let out = text;
  for (const match of text.matchAll(TEMPLATE))
    out = out.replace(match[0], String(await orderId(match[1] ?? 'main')));
  return out;
}
