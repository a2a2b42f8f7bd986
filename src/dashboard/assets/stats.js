// The stat cards, the hourly chart and the failures list, from GET /api/dashboard-data.
import { api, reportError, showBanner } from './api.js';
import { el, humanize, money, percent, sentence, timeOf } from './format.js';
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
  setCard('stat-revenue', money(t.revenue), 'confirmed orders, after refunds');
  const awaiting = t.awaiting_payment ? ` · ${t.awaiting_payment} awaiting payment` : '';
  setCard('stat-orders', String(t.orders), `confirmed of ${plural(t.attempts, 'attempt')}${awaiting}`);
  const decided = t.orders + t.failed;
  setCard(
    'stat-success-rate',
    decided ? percent(t.success_rate) : '–',
    decided ? `${t.orders} of ${decided} went through (cancelled not counted)` : 'no attempts yet',
  );
  const top = (data.failures_by_reason || [])[0];
  setCard('stat-failed', String(t.failed), top ? `most often ${humanize(top.code)}` : 'attempts not placed');
  setCard(
    'stat-cancelled',
    String(t.cancelled),
    t.refunded ? `${t.refunded} refunded · ${money(t.refunded_amount)}` : 'after being placed',
  );
  setCard('stat-aov', money(t.average_order_value), 'per confirmed order');
  const src = data.by_source;
  for (const [id, s] of [
    ['stat-voice', src.voice],
    ['stat-api', src.api],
  ]) {
    setCard(id, plural(s.orders, 'order'), `${money(s.revenue)} · ${s.attempts} tried`);
  }
  renderChart(data.hourly || []);
  renderFailures(data.failures_by_reason || []);
  const ex = data.export || {};
  const last = ex.last_export_at ? `, last written ${timeOf(ex.last_export_at, true)}` : '';
  els.exportState.textContent = `Excel export: ${ex.backlog || 0} waiting${last}`;
}

/** The smallest of 1, 2, 5 x 10^n at or above `n`, so axis ticks are round numbers. */
function niceCeiling(n) {
  if (n <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(n));
  for (const step of [1, 2, 5, 10]) if (step * power >= n) return step * power;
  return 10 * power;
}

const pad = (hour) => `${String(hour).padStart(2, '0')}:00`;

function renderChart(hourly) {
  const byHour = new Map(hourly.filter((h) => h.hour >= 0 && h.hour < 24).map((h) => [h.hour, h]));
  // A restaurant's day, not a clock face: 10:00-22:00, widened to any hour that had orders.
  const busy = [...byHour.keys()];
  const first = Math.min(10, ...busy);
  const last = Math.max(21, ...busy);
  const hours = [];
  for (let hour = first; hour <= last; hour++)
    hours.push(byHour.get(hour) || { hour, orders: 0, revenue: 0 });
  const maxOrders = niceCeiling(Math.max(...hours.map((h) => h.orders)));
  const maxRevenue = niceCeiling(Math.max(...hours.map((h) => h.revenue)));
  const ticks = (max, format) =>
    [max, max / 2, 0].map((v) => el('span', 'axis-tick', format(Number.isInteger(v) ? v : v.toFixed(1))));
  els.axisOrders.replaceChildren(...ticks(maxOrders, String));
  els.axisRevenue.replaceChildren(...ticks(maxRevenue, (v) => `$${Number(v).toLocaleString('en-US')}`));

  const cols = [];
  for (const h of hours) {
    const label = `${pad(h.hour)} — ${h.orders} order${h.orders === 1 ? '' : 's'}, ${money(h.revenue)}`;
    const col = el('div', 'chart-col');
    col.tabIndex = 0;
    col.dataset.hour = String(h.hour);
    col.dataset.label = label;
    col.setAttribute('data-testid', 'chart-hour');
    col.setAttribute('aria-label', label);
    const bars = el('div', 'chart-bars');
    const o = el('div', 'bar bar-orders');
    o.style.height = `${(h.orders / maxOrders) * 100}%`;
    if (h.orders > 0) o.append(el('span', 'bar-value', h.orders));
    const r = el('div', 'bar bar-revenue');
    r.style.height = `${(h.revenue / maxRevenue) * 100}%`;
    bars.append(o, r);
    const tick = el('div', 'chart-tick', h.hour % 2 === 0 ? String(h.hour) : '');
    col.append(bars, tick);
    for (const type of ['mouseenter', 'focus']) col.addEventListener(type, () => showTip(col));
    for (const type of ['mouseleave', 'blur']) col.addEventListener(type, hideTip);
    cols.push(col);
  }
  els.chart.replaceChildren(...cols);
  hideTip();
  const withOrders = hours.filter((h) => h.orders > 0);
  els.chart.setAttribute(
    'aria-label',
    withOrders.length
      ? `Orders per hour: ${withOrders.map((h) => `${pad(h.hour)} ${h.orders} (${money(h.revenue)})`).join('; ')}`
      : 'No orders yet',
  );
}

/** One tooltip for the chart, placed over the column pointed at or focused. */
function showTip(col) {
  els.chartTip.textContent = col.dataset.label || '';
  els.chartTip.hidden = false;
  const box = els.chart.getBoundingClientRect();
  const at = col.getBoundingClientRect();
  const center = at.left - box.left + at.width / 2;
  const half = els.chartTip.offsetWidth / 2;
  els.chartTip.style.left = `${Math.max(half, Math.min(box.width - half, center))}px`;
  // Just above the column's taller bar (and its value label).
  const tops = [...col.querySelectorAll('.bar')].map((bar) => bar.getBoundingClientRect().top);
  els.chartTip.style.top = `${Math.min(...tops) - box.top - 16}px`;
}

function hideTip() {
  els.chartTip.hidden = true;
}

function renderFailures(list) {
  if (!list.length) {
    els.failures.replaceChildren(el('li', 'muted', 'No failed attempts'));
    return;
  }
  els.failures.replaceChildren(
    ...list.map((f) => {
      const li = el('li', 'failure');
      li.setAttribute('data-testid', 'failure');
      li.dataset.code = f.code;
      li.append(el('span', 'failure-code', sentence(f.code)), el('span', 'failure-count', f.count));
      return li;
    }),
  );
}
