// What the CLI tools ask a running service for, so verify and report work while the service holds the
// embedded database: the day's ledger (every confirmed order and its total) and a rebuild of a workbook.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses } from '../../http/schemas/common.js';
import { centsToDollars } from '../../shared/money.js';
import type { ExportsRepository } from './exports.repository.js';
import { DayExportView, DayLedgerView, ReportDateParams } from './reports.schemas.js';
import type { WorkbookExporter } from './workbook-exporter.js';

export interface ReportsRoutesOptions {
  exporter: WorkbookExporter;
  repository: ExportsRepository;
}

export const reportsRoutes: FastifyPluginAsyncTypebox<ReportsRoutesOptions> = async (
  app,
  { exporter, repository },
) => {
  app.get(
    '/api/reports/:date',
    {
      schema: {
        tags: ['reports'],
        summary: "A day's confirmed orders and revenue: what its workbook must contain",
        params: ReportDateParams,
        response: { 200: DayLedgerView, ...errorResponses(422, 503) },
      },
    },
    async (request) => {
      const { date } = request.params;
      const [ledger, backlog] = await Promise.all([repository.dayLedger(date), repository.backlogCount()]);
      return {
        date,
        file: exporter.filePath(date),
        orders: ledger.map((e) => ({ id: e.id, total: centsToDollars(e.totalCents) })),
        count: ledger.length,
        revenue: centsToDollars(ledger.reduce((sum, e) => sum + e.totalCents, 0)),
        backlog,
      };
    },
  );

  app.post(
    '/api/reports/:date/rebuild',
    {
      schema: {
        tags: ['reports'],
        summary: "Rebuild a day's workbook from the database",
        params: ReportDateParams,
        response: { 200: DayExportView, ...errorResponses(422, 503) },
      },
    },
    async (request) => {
      const result = await exporter.rebuildDay(request.params.date);
      return {
        date: result.date,
        file: result.file,
        rows: result.rows,
        newly_exported: result.newlyExported,
        ms: result.ms,
      };
    },
  );
};
