import { centsToDollars } from '../../shared/money.js';
import { businessDateOf } from '../../shared/zoned-time.js';
import type { ExportsRepository } from '../exports/exports.repository.js';
import type { DashboardRepository, SourceStats } from './dashboard.repository.js';
import type { DashboardData } from './dashboard.schemas.js';

export interface DashboardSettings {
  restaurantName: string;
  location: { lat: number; lng: number };
  deliveryRadiusKm: number;
  timeZone: string;
  tileUrl: string | null;
}

export class DashboardService {
  constructor(
    private readonly repository: DashboardRepository,
    private readonly exports: ExportsRepository,
    private readonly settings: DashboardSettings,
  ) {}

  async data(date?: string): Promise<DashboardData> {
    const day = date ?? businessDateOf(new Date(), this.settings.timeZone);
    const [stats, backlog] = await Promise.all([this.repository.dayStats(day), this.exports.backlogCount()]);
    const source = (name: string) => {
      const row = stats.bySource.find((s) => s.source === name);
      return {
        orders: row?.orders ?? 0,
        attempts: row?.attempts ?? 0,
        failed: row?.failed ?? 0,
        cancelled: row?.cancelled ?? 0,
        revenue: centsToDollars(row?.revenueCents ?? 0),
      };
    };
    const sum = (field: keyof Omit<SourceStats, 'source'>) =>
      stats.bySource.reduce((n, s) => n + s[field], 0);
    const orders = sum('orders');
    const failed = sum('failed');
    // Awaiting orders are not decided yet, and a cancellation is the restaurant's decision about an order
    // that went through: neither counts for or against the success rate.
    const decided = orders + failed;
    const revenueCents = sum('revenueCents');
    return {
      date: day,
      time_zone: this.settings.timeZone,
      restaurant: {
        name: this.settings.restaurantName,
        location: this.settings.location,
        delivery_radius_km: this.settings.deliveryRadiusKm,
      },
      map: {
        tile_url: this.settings.tileUrl,
        attribution: this.settings.tileUrl ? '© OpenStreetMap contributors' : '',
      },
      totals: {
        revenue: centsToDollars(revenueCents),
        orders,
        attempts: sum('attempts'),
        failed,
        cancelled: sum('cancelled'),
        refunded: sum('refunded'),
        refunded_amount: centsToDollars(sum('refundedCents')),
        awaiting_payment: sum('awaiting'),
        success_rate: decided === 0 ? 1 : Math.round((orders / decided) * 10_000) / 10_000,
        average_order_value: orders === 0 ? 0 : centsToDollars(Math.round(revenueCents / orders)),
      },
      by_source: { api: source('api'), voice: source('voice') },
      failures_by_reason: stats.failures,
      hourly: stats.hourly.map((h) => ({
        hour: h.hour,
        orders: h.orders,
        revenue: centsToDollars(h.revenueCents),
      })),
      export: { backlog },
    };
  }
}
