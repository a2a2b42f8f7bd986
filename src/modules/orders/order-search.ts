// What the order list's `q` means, as one SQL condition. The dashboard shows orders as "#12" and phones as
// typed, so an owner types either back: an order number matches exactly (never by substring: `12` is not
// #112), a phone number matches by its digits however it was written, and anything else is part of a name
// or phone, case-insensitive.
import { ilike, inArray, or, sql, type SQL } from 'drizzle-orm';
import { orders } from '../../db/schema/index.js';
import { phoneSpellings } from '../../shared/phone.js';

/** Fewer digits than this are an order number or part of one, never a whole phone number. */
const MIN_PHONE_DIGITS = 7;
const ORDER_NUMBER = /^#?\s*(\d{1,15})$/;
/** Digits written the ways phones are: "(555) 123-4567", "+1 555.123.4567". */
const PHONE_LIKE = /^\+?[\d\s().-]+$/;

export interface OrderSearch {
  text: string;
  /**
   * True when the query is bounded to one business day (the dashboard always is): a phone's digits may then
   * be compared on every row of that day (its index bounds the scan); otherwise only the phone index is used.
   */
  withinOneDay: boolean;
}

export function orderSearchCondition({ text, withinOneDay }: OrderSearch): SQL {
  const q = text.trim();
  const number = ORDER_NUMBER.exec(q);
  if (number?.[1] !== undefined) {
    const byId = sql`${orders.id} = ${Number(number[1])}`;
    // "#12" is an order number and nothing else.
    if (q.startsWith('#') || number[1].length < MIN_PHONE_DIGITS) return byId;
    return or(byId, phoneDigitsCondition(number[1], withinOneDay)) as SQL;
  }
  const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const byText = or(ilike(orders.customerName, pattern), ilike(orders.customerPhone, pattern)) as SQL;
  const digits = q.replace(/\D/g, '');
  if (PHONE_LIKE.test(q) && digits.length >= MIN_PHONE_DIGITS) {
    return or(byText, phoneDigitsCondition(digits, withinOneDay)) as SQL;
  }
  return byText;
}

/**
 * Phones whose digits are `digits` (a leading US 1 either side ignored): the stored spellings through the
 * phone index, and within one day also any other spelling, comparing digits only.
 */
function phoneDigitsCondition(digits: string, withinOneDay: boolean): SQL {
  const bySpelling = inArray(orders.customerPhone, phoneSpellings(digits));
  if (!withinOneDay) return bySpelling;
  const national = digits.length === 11 && digits.startsWith('1') ? digits.slice(1) : digits;
  const stored = sql`regexp_replace(${orders.customerPhone}, '[^0-9]', '', 'g')`;
  return or(bySpelling, sql`${stored} in (${national}, ${`1${national}`})`) as SQL;
}
