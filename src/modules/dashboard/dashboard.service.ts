import { centsToDollars } from '../../shared/money.js';
import { businessDateOf } from '../../shared/zoned-time.js';
import type { ExportsRepository } from '../exports/exports.repository.js';
import type { DashboardRepository } from './dashboard.repository.js';
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
        revenue: centsToDollars(row?.revenueCents ?? 0),
      };
    };
    const orders = stats.bySource.reduce((n, s) => n + s.orders, 0);
    const attempts = stats.bySource.reduce((n, s) => n + s.attempts, 0);
    const awaiting = stats.bySource.reduce((n, s) => n + s.awaiting, 0);
    // Awaiting orders are not decided yet: out of the success rate until their link is paid or expires.
    const settled = attempts - awaiting;
    const revenueCents = stats.bySource.reduce((n, s) => n + s.revenueCents, 0);
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
        attempts,
        failed: settled - orders,
        awaiting_payment: awaiting,
        success_rate: settled === 0 ? 1 : Math.round((orders / settled) * 10_000) / 10_000,
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
