// The stat cards, the hourly chart and the failures list, from GET /api/dashboard-data.
import { api, reportError, showBanner } from './api.js';
import { el, humanize, money, percent, timeOf } from './format.js';
import { initMap } from './map.js';
import { els, state } from './state.js';

const STATS_DEBOUNCE_MS = 300;

export async function loadStats() {
  const seq = ++state.statsSeq;
  const query = state.followToday || !state.date ? '' : `?date=${encodeURIComponent(state.date)}`;
  const data = await api(`/api/dashboard-data${query}`);
  if (seq !== state.statsSeq) return false;
  const dayChanged = state.date !== data.date;
  state.stats = data;
  state.timeZone = data.time_zone || undefined;
  if (state.followToday) {
    state.date = data.date;
    els.date.max = data.date;
  }
  els.date.value = state.date;
  renderStats(data);
  initMap(data);
  showBanner('');
  return dayChanged;
}

export function scheduleStats() {
  clearTimeout(state.statsTimer);
  state.statsTimer = setTimeout(() => {
    loadStats().catch(reportError);
  }, STATS_DEBOUNCE_MS);
}

function setCard(testId, value, sub) {
  const card = document.querySelector(`[data-testid="${testId}"]`);
  if (!card) return;
  card.querySelector('.card-value').textContent = value;
  card.querySelector('.card-sub').textContent = sub;
}

function renderStats(data) {
  const name = (data.restaurant && data.restaurant.name) || 'Orders dashboard';
  els.name.textContent = name;
  document.title = `${name} · Orders`;
  const t = data.totals;
  const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
  setCard('stat-revenue', money(t.revenue), 'confirmed orders');
  const awaiting = t.awaiting_payment ? `, ${t.awaiting_payment} awaiting payment` : '';
  setCard('stat-orders', String(t.orders), `${plural(t.attempts, 'attempt')}, ${t.failed} failed${awaiting}`);
  const decided = t.attempts - (t.awaiting_payment || 0);
  setCard('stat-success-rate', decided ? percent(t.success_rate) : '–', `${t.orders} of ${decided}`);
  setCard('stat-aov', money(t.average_order_value), 'per confirmed order');
  const src = data.by_source;
  setCard(
    'stat-voice',
    plural(src.voice.orders, 'order'),
    `${money(src.voice.revenue)} · ${src.voice.attempts} tried`,
  );
  setCard(
    'stat-api',
    plural(src.api.orders, 'order'),
    `${money(src.api.revenue)} · ${src.api.attempts} tried`,
  );
  renderChart(data.hourly || []);
  renderFailures(data.failures_by_reason || []);
  const ex = data.export || {};
  const last = ex.last_export_at ? `, last written ${timeOf(ex.last_export_at, true)}` : '';
  els.exportState.textContent = `Excel export: ${ex.backlog || 0} waiting${last}`;
}

function renderChart(hourly) {
  const hours = Array.from({ length: 24 }, (_, hour) => ({ hour, orders: 0, revenue: 0 }));
  for (const h of hourly) if (h.hour >= 0 && h.hour < 24) hours[h.hour] = h;
  const maxOrders = Math.max(1, ...hours.map((h) => h.orders));
  const maxRevenue = Math.max(1, ...hours.map((h) => h.revenue));
  const cols = [];
  for (const h of hours) {
    const label = `${String(h.hour).padStart(2, '0')}:00 — ${h.orders} order${h.orders === 1 ? '' : 's'}, ${money(h.revenue)}`;
    const col = el('div', 'chart-col');
    col.title = label;
    const bars = el('div', 'chart-bars');
    const o = el('div', 'bar bar-orders');
    o.style.height = `${(h.orders / maxOrders) * 100}%`;
    const r = el('div', 'bar bar-revenue');
    r.style.height = `${(h.revenue / maxRevenue) * 100}%`;
    bars.append(o, r);
    const tick = el('div', 'chart-tick', h.hour % 3 === 0 ? String(h.hour) : '');
    col.append(bars, tick);
    cols.push(col);
  }
  els.chart.replaceChildren(...cols);
  const busy = hours.filter((h) => h.orders > 0);
  els.chart.setAttribute(
    'aria-label',
    busy.length
      ? `Orders per hour: ${busy.map((h) => `${h.hour}:00 ${h.orders} (${money(h.revenue)})`).join('; ')}`
      : 'No orders yet',
  );
}

function renderFailures(list) {
  if (!list.length) {
    els.failures.replaceChildren(el('li', 'muted', 'No failed attempts'));
    return;
  }
  els.failures.replaceChildren(
    ...list.map((f) => {
      const li = el('li', 'failure');
      li.append(el('span', 'failure-code', humanize(f.code)), el('span', 'failure-count', f.count));
      return li;
    }),
  );
}
