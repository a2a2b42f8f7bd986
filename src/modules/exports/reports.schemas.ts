import { Type } from 'typebox';
import { BusinessDate } from '../../http/schemas/common.js';

export const ReportDateParams = Type.Object({
  date: BusinessDate('Business day, YYYY-MM-DD (TIMEZONE)'),
});

export const DayLedgerView = Type.Object({
  date: Type.String(),
  file: Type.String({ description: 'Where the workbook of that day is written' }),
  orders: Type.Array(Type.Object({ id: Type.Integer(), total: Type.Number() })),
  count: Type.Integer(),
  revenue: Type.Number({ description: 'Sum of the confirmed totals, dollars' }),
  backlog: Type.Integer({ description: 'Confirmed orders of any day not yet in their workbook' }),
});

export const DayExportView = Type.Object({
  date: Type.String(),
  file: Type.String(),
  rows: Type.Integer(),
  newly_exported: Type.Integer(),
  ms: Type.Number(),
});
