// The daily workbook's columns: the original system's 17 in its order, plus Source. The writer and the reader
// both follow this list, so a column added here must be written and read back (their types enforce it).

export type WorkbookColumnKind = 'integer' | 'date' | 'text' | 'money' | 'number';

/** Each key is the WorkbookRow field the column reads back into (money columns hold dollars, read as cents). */
export type WorkbookColumnKey =
  | 'orderId'
  | 'createdAt'
  | 'customerName'
  | 'phone'
  | 'address'
  | 'city'
  | 'zip'
  | 'items'
  | 'itemCount'
  | 'subtotalCents'
  | 'taxCents'
  | 'deliveryFeeCents'
  | 'totalCents'
  | 'paymentStatus'
  | 'paymentId'
  | 'latitude'
  | 'longitude'
  | 'source';

export interface WorkbookColumn {
  readonly header: string;
  readonly key: WorkbookColumnKey;
  /** Excel column width in characters. */
  readonly width: number;
  readonly kind: WorkbookColumnKind;
}

export const WORKBOOK_COLUMNS: readonly WorkbookColumn[] = [
  { header: 'Order ID', key: 'orderId', width: 10, kind: 'integer' },
  { header: 'Created At', key: 'createdAt', width: 20, kind: 'date' },
  { header: 'Customer Name', key: 'customerName', width: 24, kind: 'text' },
  { header: 'Phone', key: 'phone', width: 17, kind: 'text' },
  { header: 'Address', key: 'address', width: 36, kind: 'text' },
  { header: 'City', key: 'city', width: 16, kind: 'text' },
  { header: 'ZIP', key: 'zip', width: 8, kind: 'text' },
  { header: 'Items', key: 'items', width: 50, kind: 'text' },
  { header: 'Item Count', key: 'itemCount', width: 11, kind: 'integer' },
  { header: 'Subtotal', key: 'subtotalCents', width: 12, kind: 'money' },
  { header: 'Tax', key: 'taxCents', width: 10, kind: 'money' },
  { header: 'Delivery Fee', key: 'deliveryFeeCents', width: 13, kind: 'money' },
  { header: 'Total', key: 'totalCents', width: 12, kind: 'money' },
  { header: 'Payment Status', key: 'paymentStatus', width: 15, kind: 'text' },
  { header: 'Payment ID', key: 'paymentId', width: 30, kind: 'text' },
  { header: 'Latitude', key: 'latitude', width: 12, kind: 'number' },
  { header: 'Longitude', key: 'longitude', width: 12, kind: 'number' },
  { header: 'Source', key: 'source', width: 10, kind: 'text' },
];

/** Excel number formats by kind (text and integer cells keep Excel's General format). */
export const NUMBER_FORMATS: Readonly<Partial<Record<WorkbookColumnKind, string>>> = {
  date: 'yyyy-mm-dd hh:mm:ss',
  money: '"$"#,##0.00',
  number: '0.000000',
};

const BUSINESS_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `orders-2026-11-24.xlsx` for the business day 2026-11-24; throws for anything but a real YYYY-MM-DD date. */
export function workbookFileName(businessDate: string): string {
  const match = BUSINESS_DATE.exec(businessDate);
  if (match) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const date = new Date(Date.UTC(year, month - 1, day));
    // Date.UTC rolls 2026-02-30 over to March; a real date comes back unchanged.
    if (date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day) {
      return `orders-${businessDate}.xlsx`;
    }
  }
  throw new RangeError(
    `business date must be a calendar date as YYYY-MM-DD, got ${JSON.stringify(businessDate)}`,
  );
}
