// Live updates: the server-sent events stream, reconnecting with backoff, and the connection indicator.
import { api, reportError, Unauthorized } from './api.js';
import { afterListChange, buildRow, matchesFilters, rowOf, updateExportCell } from './feed.js';
import { scheduleStats } from './stats.js';
import { els, PAGE_SIZE, state } from './state.js';

/** Puts a new or changed order in the feed (and refreshes the cards when it is of the day shown). */
export function onOrder(order, isNew) {
  if (!order || typeof order.id !== 'number') return;
  const today = state.date && order.business_date === state.date;
  if (today) scheduleStats();
  if (!today) return;
  // A row on screen always shows its order's latest state, even if it no longer matches the filters.
  const existing = rowOf(order.id);
  if (!existing && !matchesFilters(order)) return;
  if (matchesFilters(order)) state.liveSinceFetch.push(order);
  if (state.liveSinceFetch.length > 500) state.liveSinceFetch.shift();
  state.details.delete(order.id);
  if (existing) {
    const idx = state.orders.findIndex((o) => o.id === order.id);
    if (idx >= 0) state.orders[idx] = order;
    state.byId.set(order.id, order);
    existing.replaceWith(buildRow(order, false));
  } else {
    state.orders.unshift(order);
    state.orders.sort((a, b) => b.id - a.id);
    state.byId.set(order.id, order);
    state.total += 1;
    const row = buildRow(order, isNew);
    const idx = state.orders.indexOf(order);
    const before = els.list.children[idx] || null;
    els.list.insertBefore(row, before);
    // Bounded for a page left open all day, but never below what "show more" loaded.
    if (state.orders.length > PAGE_SIZE * (state.pagesLoaded + 1)) {
      const dropped = state.orders.pop();
      state.byId.delete(dropped.id);
      const last = rowOf(dropped.id);
      if (last) last.remove();
    }
  }
  afterListChange();
}

function onExported(ids) {
  const now = new Date().toISOString();
  for (const raw of ids || []) {
    const id = Number(raw);
    const order = state.byId.get(id);
    if (order && !order.exported_at) {
      order.exported_at = now;
      const full = state.details.get(id);
      if (full && !full.exported_at) full.exported_at = now;
      updateExportCell(order);
    }
  }
  if (state.date && state.followToday) scheduleStats();
}

export function setConnection(kind) {
  els.conn.dataset.state = kind;
  const text = { live: 'Live', reconnecting: 'Reconnecting…', connecting: 'Connecting…' };
  els.conn.querySelector('.conn-text').textContent = text[kind] || kind;
}

let source = null;
let retryTimer = 0;
let retryDelay = 1000;
let onOpen = () => Promise.resolve(); // set by startLive: reload everything once the stream is (re)opened

function parse(event) {
  try {
    return JSON.parse(event.data);
  } catch {
    return null;
  }
}

function connect() {
  clearTimeout(retryTimer);
  if (source) source.close();
  const es = new EventSource('/api/events', { withCredentials: true });
  source = es;
  es.addEventListener('open', () => {
    retryDelay = 1000;
    setConnection('live');
    onOpen().catch(reportError);
  });
  es.addEventListener('error', () => {
    if (source !== es) return;
    setConnection('reconnecting');
    if (es.readyState === EventSource.CLOSED) {
      // The browser gave up (e.g. a 401 or 503 answer): check the session, then try again with backoff.
      api('/api/dashboard-data')
        .catch((error) => {
          if (error instanceof Unauthorized) throw error;
        })
        .then(() => {
          retryTimer = setTimeout(connect, retryDelay);
          retryDelay = Math.min(retryDelay * 2, 15000);
        })
        .catch(() => undefined);
    }
  });
  es.addEventListener('order.created', (e) => onOrder(parse(e), true));
  es.addEventListener('order.updated', (e) => onOrder(parse(e), false));
  es.addEventListener('order.exported', (e) => {
    const data = parse(e);
    if (data) onExported(data.ids);
  });
}

/** Opens the event stream; `refresh` reloads stats and orders each time it (re)connects. */
export function startLive(refresh) {
  onOpen = refresh;
  connect();
}
