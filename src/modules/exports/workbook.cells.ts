// One order -> one <row> of the day's sheet XML. Caller text is data (DESIGN invariant 6): every text cell is
// neutralised so no spreadsheet or CSV re-import can evaluate it, and written as a plain string cell, never
// a formula. The cell markup is what exceljs's streaming writer produced, so files read back as before.
import { centsToDollars } from '../../shared/money.js';
import { offsetMs, zoneOf } from '../../shared/zoned-time.js';
import { WORKBOOK_COLUMNS, type WorkbookColumnKey, type WorkbookColumnKind } from './workbook.columns.js';

export interface WorkbookOrder {
  id: number;
  createdAt: Date;
  customerName: string;
  customerPhone: string;
  deliveryAddress: string | null;
  city: string | null;
  zipCode: string | null;
  items: Array<{ name: string; quantity: number; options: string[] }>;
  subtotalCents: number;
  taxCents: number;
  deliveryFeeCents: number;
  totalCents: number;
  paymentStatus: string;
  paymentId: string | null;
  latitude: number | null;
  longitude: number | null;
  source: string;
}

const FORMULA_START = /^[=+\-@\t\r]/;
// XML 1.0 cannot carry these, so they are dropped here where it is visible.
// eslint-disable-next-line no-control-regex
const XML_INVALID = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F\uFFFE\uFFFF]/g;
const CARRIAGE_RETURN = /\r\n?/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const XML_SPECIAL = /[&<>"']/g;
const XML_ENTITY: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};
const EXCEL_EPOCH_SERIAL = 25_569;
const MS_PER_DAY = 86_400_000;

/** Text starting with = + - @ tab or CR gets a leading apostrophe, so nothing can ever evaluate it. */
export function neutralizeFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/**
 * Exactly the text a cell holds and the reader returns for `text`: neutralised, then as XML can carry it
 * (CR and CRLF read back as LF; characters XML forbids are dropped; a lone surrogate becomes U+FFFD).
 * Whoever compares the workbook with the database compares against this.
 */
export function workbookText(text: string): string {
  return neutralizeFormula(text)
    .replace(CARRIAGE_RETURN, '\n')
    .replace(XML_INVALID, '')
    .replace(LONE_SURROGATE, '\uFFFD');
}

export function escapeXml(text: string): string {
  return text.replace(XML_SPECIAL, (c) => XML_ENTITY[c] ?? c);
}

/** `2 x Pizza Margherita (Large, Extra Cheese); 2 x Coke` (before neutralising). */
function describeItems(items: WorkbookOrder['items']): string {
  return items
    .map((item) => {
      const options = item.options.length > 0 ? ` (${item.options.join(', ')})` : '';
      return `${item.quantity} x ${item.name}${options}`;
    })
    .join('; ');
}

/**
 * Instant -> the restaurant's wall-clock time as an Excel serial (days since 1899-12-30, shown as it is).
 * Whole seconds, because Excel would display 23:59:59.7 as the next day.
 */
export function wallClockSerial(timeZone: string): (instant: Date) => number {
  // Throws a RangeError for an unknown zone, before any file is touched.
  const zone = zoneOf(timeZone);
  return (instant) => {
    const epochMs = instant.getTime();
    // An invalid Date would become garbage in the cell: the write fails instead.
    if (Number.isNaN(epochMs)) throw new RangeError('Invalid time value');
    const local = epochMs + offsetMs(zone, epochMs);
    const whole = local - (((local % 1000) + 1000) % 1000);
    return EXCEL_EPOCH_SERIAL + whole / MS_PER_DAY;
  };
}

/** Style index (into styles.xml's cellXfs, see workbook.parts.ts) by column kind; 0 is General. */
const STYLE_OF_KIND: Record<WorkbookColumnKind, number> = {
  integer: 0,
  text: 0,
  date: 2,
  money: 3,
  number: 4,
};
const HEADER_STYLE = 1;

/** Column letters A..R, in WORKBOOK_COLUMNS order. */
const LETTERS = WORKBOOK_COLUMNS.map((_, i) => String.fromCharCode(65 + i));
export const LAST_COLUMN_LETTER = LETTERS[LETTERS.length - 1]!;

function styleAttribute(style: number): string {
  return style === 0 ? '' : ` s="${style}"`;
}

function textCell(ref: string, style: number, text: string): string {
  return `<c r="${ref}"${styleAttribute(style)} t="str"><v>${escapeXml(text)}</v></c>`;
}

function numberCell(ref: string, style: number, value: number | null): string {
  if (value === null) return `<c r="${ref}"${styleAttribute(style)}/>`;
  if (!Number.isFinite(value)) throw new RangeError(`cell ${ref} is not a finite number: ${value}`);
  return `<c r="${ref}"${styleAttribute(style)}><v>${value}</v></c>`;
}

export function headerRowXml(): string {
  const cells = WORKBOOK_COLUMNS.map((column, i) => textCell(`${LETTERS[i]}1`, HEADER_STYLE, column.header));
  return `<row r="1">${cells.join('')}</row>`;
}

/** The order as sheet row `rowNumber` (the header is row 1). */
export function orderRowXml(
  order: WorkbookOrder,
  rowNumber: number,
  toSerial: (instant: Date) => number,
): string {
  const values: Record<WorkbookColumnKey, string | number | null> = {
    orderId: order.id,
    createdAt: toSerial(order.createdAt),
    customerName: workbookText(order.customerName),
    phone: workbookText(order.customerPhone),
    address: workbookText(order.deliveryAddress ?? ''),
    city: workbookText(order.city ?? ''),
    zip: workbookText(order.zipCode ?? ''),
    items: workbookText(describeItems(order.items)),
    itemCount: order.items.reduce((sum, item) => sum + item.quantity, 0),
    subtotalCents: centsToDollars(order.subtotalCents),
    taxCents: centsToDollars(order.taxCents),
    deliveryFeeCents: centsToDollars(order.deliveryFeeCents),
    totalCents: centsToDollars(order.totalCents),
    paymentStatus: workbookText(order.paymentStatus),
    paymentId: workbookText(order.paymentId ?? ''),
    latitude: order.latitude,
    longitude: order.longitude,
    source: workbookText(order.source),
  };
  let xml = `<row r="${rowNumber}">`;
  for (let i = 0; i < WORKBOOK_COLUMNS.length; i++) {
    const column = WORKBOOK_COLUMNS[i]!;
    const ref = `${LETTERS[i]}${rowNumber}`;
    const value = values[column.key];
    const style = STYLE_OF_KIND[column.kind];
    xml += typeof value === 'string' ? textCell(ref, style, value) : numberCell(ref, style, value);
  }
  return `${xml}</row>`;
}
