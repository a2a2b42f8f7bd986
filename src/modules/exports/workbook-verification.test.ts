import { describe, expect, it } from 'vitest';
import { WORKBOOK_COLUMNS } from './workbook.columns.js';
import type { WorkbookRow } from './workbook.reader.js';
import { verifyWorkbook } from './workbook-verification.js';

const headers = WORKBOOK_COLUMNS.map((c) => c.header);
const row = (orderId: number, totalCents = 4514): WorkbookRow => ({
  orderId,
  createdAt: new Date(),
  customerName: 'John Doe',
  phone: '555-123-4567',
  address: '350 Fifth Avenue',
  city: 'New York',
  zip: '10001',
  items: '2 x Pizza Margherita; 2 x Coke',
  itemCount: 4,
  subtotalCents: 3596,
  taxCents: 319,
  deliveryFeeCents: totalCents - 3596 - 319,
  totalCents,
  paymentStatus: 'succeeded',
  paymentId: 'mock_pi_1',
  latitude: 40.7,
  longitude: -73.9,
  source: 'api',
});
const ledger = (...ids: number[]) => ids.map((id) => ({ id, totalCents: 4514 }));

describe('verifyWorkbook', () => {
  it('passes when the workbook holds every confirmed order once, revenue to the cent', () => {
    const result = verifyWorkbook({ headers, rows: [row(1), row(2)] }, ledger(1, 2));
    expect(result).toMatchObject({
      ok: true,
      problems: [],
      orders: 2,
      columns: 18,
      revenueCents: 9028,
      averageCents: 4514,
    });
  });

  it('names every kind of difference', () => {
    const rows = [row(1), row(1), row(3), { ...row(4), totalCents: 1 }];
    const result = verifyWorkbook({ headers: headers.filter((h) => h !== 'Source'), rows }, ledger(1, 2, 4));
    expect(result.ok).toBe(false);
    const text = result.problems.join('\n');
    expect(text).toContain('missing columns: Source');
    expect(text).toContain('duplicate order ids: 1');
    expect(text).toContain('subtotal + tax + delivery fee != total: 4');
    expect(text).toContain('missing from the workbook: 2');
    expect(text).toContain('not confirmed orders of the day: 3');
    expect(text).toContain('totals that differ from the database: 4');
    expect(text).toMatch(/revenue \$.* in the workbook, \$135\.42 in the database/);
  });

  it('without a database ledger checks only the file itself', () => {
    const result = verifyWorkbook({ headers, rows: [row(7)] }, null);
    expect(result).toMatchObject({ ok: true, crossChecked: false });
  });
});
