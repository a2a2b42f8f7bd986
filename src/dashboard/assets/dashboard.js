// The live orders dashboard: stats, hourly chart, failures, a Leaflet map and the order feed, kept current
// by server-sent events. Plain browser JavaScript (no build step). Every piece of order/customer text goes
// into the DOM through textContent, never through HTML strings.
'use strict';
(function () {
  const STATS_DEBOUNCE_MS = 300;
  const SEARCH_DEBOUNCE_MS = 300;
  const PAGE_SIZE = 100;

  const state = {
    date: null, // the business day shown (YYYY-MM-DD)
    followToday: true, // true until the user picks another day
    timeZone: undefined,
    stats: null,
    orders: [], // OrderView[], newest first, as shown
    total: 0,
    byId: new Map(),
    expanded: new Set(),
    details: new Map(), // id -> full OrderView from GET /api/orders/{id}
    liveSinceFetch: [], // orders pushed by SSE while a list fetch may be running
    listSeq: 0,
    statsSeq: 0,
    statsTimer: 0,
    map: null,
    mapReady: false,
    zoneLayer: null,
    restaurantMarker: null,
    markers: new Map(), // id -> L.Marker
    redirecting: false,
  };

  const $ = (id) => document.getElementById(id);
  const els = {
    name: $('restaurant-name'),
    date: $('date-picker'),
    conn: $('connection'),
    banner: $('banner'),
    chart: $('hourly-chart'),
    failures: $('failures'),
    exportState: $('export-state'),
    mapEl: $('map'),
    mapNote: $('map-note'),
    list: $('orders'),
    empty: $('orders-empty'),
    count: $('orders-count'),
    status: $('filter-status'),
    source: $('filter-source'),
    q: $('filter-q'),
    form: $('filters'),
  };

  // ---------- small helpers ----------

  /** Creates an element with a class and text (text always via textContent). */
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  const moneyFormat = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
  const money = (n) => moneyFormat.format(Number(n) || 0);
  const percent = (r) => `${(Math.round((Number(r) || 0) * 1000) / 10).toFixed(1)}%`;

  function timeOf(iso, withSeconds) {
    if (!iso) return '';
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return '';
    const opts = { hour: '2-digit', minute: '2-digit', hour12: false };
    if (withSeconds) opts.second = '2-digit';
    try {
      return d.toLocaleTimeString('en-GB', { ...opts, timeZone: state.timeZone });
    } catch {
      return d.toLocaleTimeString('en-GB', opts);
    }
  }

  function dateTimeOf(iso) {
    if (!iso) return '';
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return '';
    try {
      return d.toLocaleString('en-GB', {
        timeZone: state.timeZone,
        dateStyle: 'medium',
        timeStyle: 'medium',
      });
    } catch {
      return d.toLocaleString('en-GB');
    }
  }

  function humanize(code) {
    return String(code || '').replace(/_/g, ' ');
  }

  function showBanner(text) {
    els.banner.textContent = text;
    els.banner.hidden = !text;
  }

  class Unauthorized extends Error {}

  /** Same-origin JSON GET; a 401 sends the browser to the login page. */
  async function api(path) {
    const res = await fetch(path, { credentials: 'same-origin', headers: { accept: 'application/json' } });
    if (res.status === 401) {
      if (!state.redirecting) {
        state.redirecting = true;
        window.location.assign('/dashboard/login');
      }
      throw new Unauthorized('unauthorized');
    }
    if (!res.ok) throw new Error(`${path} answered ${res.status}`);
    return res.json();
  }

  function reportError(error) {
    if (error instanceof Unauthorized) return;
    showBanner('Could not reach the server; retrying when the connection is back.');
    console.warn(error);
  }

  // ---------- stats ----------

  async function loadStats() {
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

  function scheduleStats() {
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
    setCard('stat-orders', String(t.orders), `${plural(t.attempts, 'attempt')}, ${t.failed} failed`);
    setCard('stat-success-rate', t.attempts ? percent(t.success_rate) : '–', `${t.orders} of ${t.attempts}`);
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

  // ---------- orders list ----------

  function filters() {
    return { status: els.status.value, source: els.source.value, q: els.q.value.trim() };
  }

  function matchesFilters(order) {
    const f = filters();
    if (order.business_date && state.date && order.business_date !== state.date) return false;
    if (f.status && order.status !== f.status) return false;
    if (f.source && order.source !== f.source) return false;
    if (f.q) {
      const q = f.q.toLowerCase().replace(/^#/, '');
      const digits = q.replace(/\D/g, '');
      const hay = `${order.customer_name} ${order.customer_phone}`.toLowerCase();
      const phoneDigits = String(order.customer_phone || '').replace(/\D/g, '');
      if (!(
        hay.includes(q) ||
        String(order.id) === q ||
        (digits.length >= 3 && phoneDigits.includes(digits))
      )) {
        return false;
      }
    }
    return true;
  }

  async function loadOrders() {
    if (!state.date) return;
    const seq = ++state.listSeq;
    const f = filters();
    const params = new URLSearchParams({ page: '1', page_size: String(PAGE_SIZE), date: state.date });
    if (f.status) params.set('status', f.status);
    if (f.source) params.set('source', f.source);
    if (f.q) params.set('q', f.q);
    const data = await api(`/api/orders?${params}`);
    if (seq !== state.listSeq) return;
    const ids = new Set(data.orders.map((o) => o.id));
    // Orders pushed live while this request was under way are kept even if the answer predates them.
    const extra = state.liveSinceFetch.filter((o) => !ids.has(o.id) && matchesFilters(o));
    state.liveSinceFetch = extra;
    const merged = extra.concat(data.orders).sort((a, b) => b.id - a.id);
    state.total = Math.max(data.total || 0, merged.length);
    setOrders(merged);
  }

  function setOrders(orders) {
    state.orders = orders;
    state.byId = new Map(orders.map((o) => [o.id, o]));
    for (const id of [...state.expanded]) if (!state.byId.has(id)) state.expanded.delete(id);
    els.list.replaceChildren(...orders.map((o) => buildRow(o, false)));
    afterListChange();
  }

  function afterListChange() {
    els.empty.hidden = state.orders.length > 0;
    const shown = state.orders.length;
    els.count.textContent = state.total > shown ? `${shown} of ${state.total}` : `${shown} shown`;
    renderMarkers();
  }

  function rowOf(id) {
    return els.list.querySelector(`[data-testid="order-row"][data-order-id="${Number(id)}"]`);
  }

  function exportText(order) {
    if (order.status !== 'confirmed') return 'Not exported';
    return order.exported_at ? `Exported ${timeOf(order.exported_at)}` : 'Waiting';
  }

  function buildRow(order, isNew) {
    const li = el('li', 'order');
    li.setAttribute('data-testid', 'order-row');
    li.dataset.orderId = String(order.id);
    li.dataset.status = order.status;
    if (isNew) li.classList.add('order-new');

    const button = el('button', 'order-summary');
    button.type = 'button';
    button.setAttribute('aria-expanded', 'false');
    const detailsId = `order-details-${order.id}`;
    button.setAttribute('aria-controls', detailsId);

    const id = el('span', 'cell cell-id', `#${order.id}`);
    const time = el('span', 'cell cell-time', timeOf(order.created_at));
    const customer = el('span', 'cell cell-customer');
    customer.append(
      el('span', 'customer-name', order.customer_name),
      el('span', 'customer-phone', order.customer_phone),
    );
    const source = el(
      'span',
      `cell cell-source source-${order.source}`,
      order.source === 'voice' ? '☎ Voice' : 'API',
    );
    const total = el('span', 'cell cell-total num', money(order.total));
    const statusCell = el('span', 'cell cell-status');
    const badge = el(
      'span',
      `badge badge-${order.status}`,
      order.status === 'confirmed' ? 'Confirmed' : 'Failed',
    );
    statusCell.append(badge);
    if (order.status === 'failed' && order.failure_code) {
      statusCell.append(el('span', 'failure-hint', humanize(order.failure_code)));
    }
    const exp = el('span', 'cell cell-export', exportText(order));
    exp.dataset.exported = order.exported_at ? 'true' : 'false';
    button.append(id, time, customer, source, total, statusCell, exp);
    button.addEventListener('click', () => toggle(order.id));

    const details = el('div', 'order-details');
    details.id = detailsId;
    details.hidden = true;
    details.setAttribute('data-testid', 'order-details');

    li.append(button, details);
    if (state.expanded.has(order.id)) openRow(li, order.id, false);
    return li;
  }

  function toggle(id) {
    const row = rowOf(id);
    if (!row) return;
    if (state.expanded.has(id)) {
      state.expanded.delete(id);
      row.querySelector('.order-summary').setAttribute('aria-expanded', 'false');
      row.querySelector('.order-details').hidden = true;
      row.classList.remove('order-open');
      highlightMarker(id, false);
    } else {
      state.expanded.add(id);
      openRow(row, id, true);
    }
  }

  function openRow(row, id, fetchFull) {
    row.querySelector('.order-summary').setAttribute('aria-expanded', 'true');
    row.classList.add('order-open');
    const details = row.querySelector('.order-details');
    details.hidden = false;
    const known = state.details.get(id) || state.byId.get(id);
    renderDetails(details, known, !state.details.has(id));
    highlightMarker(id, true);
    if (fetchFull || !state.details.has(id)) {
      api(`/api/orders/${encodeURIComponent(id)}`)
        .then((full) => {
          state.details.set(id, full);
          const current = rowOf(id);
          if (current && state.expanded.has(id))
            renderDetails(current.querySelector('.order-details'), full, false);
        })
        .catch((error) => {
          if (error instanceof Unauthorized) return;
          const current = rowOf(id);
          if (current) {
            const note = current.querySelector('.call-loading');
            if (note) note.textContent = 'Could not load the call details.';
          }
        });
    }
  }

  function kv(dl, label, value) {
    if (value === undefined || value === null || value === '') return;
    dl.append(el('dt', '', label), el('dd', '', value));
  }

  function renderDetails(container, order, loading) {
    if (!order) return;
    const parts = [];

    // Items
    const itemsBox = el('section', 'detail-block detail-items');
    itemsBox.append(el('h3', '', 'Items'));
    const table = el('table', 'items');
    const thead = el('thead');
    const hr = el('tr');
    for (const [text, cls] of [
      ['Qty', 'num'],
      ['Item', ''],
      ['Each', 'num'],
      ['Line', 'num'],
    ]) {
      const th = el('th', cls, text);
      th.scope = 'col';
      hr.append(th);
    }
    thead.append(hr);
    const tbody = el('tbody');
    for (const item of order.items || []) {
      const tr = el('tr');
      const nameCell = el('td', 'item-name');
      nameCell.append(el('span', '', item.name));
      const opts = (item.options || []).map((o) => o.name).filter(Boolean);
      if (opts.length) nameCell.append(el('span', 'item-options', opts.join(', ')));
      tr.append(
        el('td', 'num', `${item.quantity}×`),
        nameCell,
        el('td', 'num', money(item.unit_price)),
        el('td', 'num', money(item.line_total)),
      );
      tbody.append(tr);
    }
    const tfoot = el('tfoot');
    for (const [label, value, cls] of [
      ['Subtotal', order.subtotal, ''],
      ['Tax', order.tax, ''],
      ['Delivery fee', order.delivery_fee, ''],
      ['Total', order.total, 'grand-total'],
    ]) {
      const tr = el('tr', cls);
      const th = el('th', '', label);
      th.scope = 'row';
      th.colSpan = 3;
      tr.append(th, el('td', 'num', money(value)));
      tfoot.append(tr);
    }
    table.append(thead, tbody, tfoot);
    itemsBox.append(table);
    parts.push(itemsBox);

    // Customer, delivery, payment, export
    const info = el('section', 'detail-block');
    info.append(el('h3', '', 'Order'));
    const dl = el('dl', 'kv');
    kv(dl, 'Customer', order.customer_name);
    kv(dl, 'Phone', order.customer_phone);
    kv(dl, 'Placed', dateTimeOf(order.created_at));
    kv(dl, 'Fulfillment', order.fulfillment);
    const street = [order.delivery_address, order.city, order.zip_code].filter(Boolean).join(', ');
    kv(dl, 'Address', order.formatted_address || street);
    if (order.latitude !== null && order.latitude !== undefined && order.longitude !== null) {
      kv(dl, 'Coordinates', `${Number(order.latitude).toFixed(5)}, ${Number(order.longitude).toFixed(5)}`);
    }
    if (order.distance_km !== null && order.distance_km !== undefined) {
      kv(dl, 'Distance', `${Number(order.distance_km).toFixed(2)} km`);
    }
    kv(dl, 'Payment', order.payment_status);
    kv(dl, 'Payment id', order.payment_id);
    if (order.status === 'failed') {
      kv(dl, 'Failure', [humanize(order.failure_code), order.failure_reason].filter(Boolean).join(': '));
    }
    kv(dl, 'Export', order.exported_at ? `Exported ${dateTimeOf(order.exported_at)}` : exportText(order));
    kv(dl, 'Notes', order.notes);
    info.append(dl);
    parts.push(info);

    // Voice call
    if (order.source === 'voice') {
      const call = el('section', 'detail-block detail-call');
      call.append(el('h3', '', 'Call'));
      if (order.call) {
        const c = order.call;
        const cdl = el('dl', 'kv');
        kv(cdl, 'Caller', c.caller_number);
        kv(cdl, 'Status', [c.status, c.ended_reason && humanize(c.ended_reason)].filter(Boolean).join(' · '));
        kv(cdl, 'Summary', c.summary);
        call.append(cdl);
        if (c.recording_url && /^https?:\/\//i.test(c.recording_url)) {
          const a = el('a', 'recording', 'Recording');
          a.href = c.recording_url;
          a.target = '_blank';
          a.rel = 'noopener noreferrer';
          call.append(a);
        }
        if (c.transcript) {
          call.append(el('h4', '', 'Transcript'), el('pre', 'transcript', c.transcript));
        }
      } else {
        call.append(
          el('p', 'muted call-loading', loading ? 'Loading the call…' : 'No call details recorded.'),
        );
      }
      parts.push(call);
    }

    container.replaceChildren(...parts);
  }

  function updateExportCell(order) {
    const row = rowOf(order.id);
    if (!row) return;
    const cell = row.querySelector('.cell-export');
    cell.textContent = exportText(order);
    cell.dataset.exported = order.exported_at ? 'true' : 'false';
    if (state.expanded.has(order.id)) {
      renderDetails(row.querySelector('.order-details'), state.details.get(order.id) || order, false);
    }
  }

  // ---------- live events ----------

  function onOrder(order, isNew) {
    if (!order || typeof order.id !== 'number') return;
    const today = state.date && order.business_date === state.date;
    if (today) scheduleStats();
    if (!today || !matchesFilters(order)) return;
    state.liveSinceFetch.push(order);
    if (state.liveSinceFetch.length > 500) state.liveSinceFetch.shift();
    state.details.delete(order.id);
    const existing = rowOf(order.id);
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
      if (state.orders.length > PAGE_SIZE * 2) {
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

  function setConnection(kind) {
    els.conn.dataset.state = kind;
    const text = { live: 'Live', reconnecting: 'Reconnecting…', connecting: 'Connecting…' };
    els.conn.querySelector('.conn-text').textContent = text[kind] || kind;
  }

  let source = null;
  let retryTimer = 0;
  let retryDelay = 1000;

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
      refreshAll().catch(reportError);
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

  // ---------- map ----------

  function plainText(html) {
    // Attribution is operator configuration, but it is still shown as text only (an inert document).
    const text = new DOMParser().parseFromString(String(html || ''), 'text/html').body.textContent || '';
    return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  }

  function initMap(data) {
    const L = window.L;
    if (!L) {
      els.mapNote.textContent = 'Map unavailable';
      return;
    }
    const loc = data.restaurant && data.restaurant.location;
    if (!loc) return;
    const radiusM = (Number(data.restaurant.delivery_radius_km) || 0) * 1000;
    if (!state.map) {
      const center = L.latLng(loc.lat, loc.lng);
      state.map = L.map(els.mapEl, { zoomControl: true, attributionControl: true, scrollWheelZoom: false });
      // A view first: layers (the circle's bounds) need one. Then fit the delivery zone.
      state.map.setView(center, 13);
      state.map.fitBounds(center.toBounds(Math.max(radiusM, 500) * 2), { padding: [8, 8] });
      state.map.attributionControl.setPrefix(false);
      const tileUrl = data.map && data.map.tile_url;
      if (tileUrl) {
        const layer = L.tileLayer(tileUrl, { maxZoom: 19, attribution: plainText(data.map.attribution) });
        let failed = 0;
        layer.on('tileerror', () => {
          failed += 1;
          if (failed === 3) els.mapNote.textContent = 'Map tiles unavailable';
        });
        layer.addTo(state.map);
      } else {
        els.mapEl.classList.add('map-plain');
      }
      state.restaurantMarker = L.marker([loc.lat, loc.lng], {
        icon: L.divIcon({
          className: 'pin pin-restaurant',
          html: '',
          iconSize: [26, 26],
          iconAnchor: [13, 13],
        }),
        title: 'Restaurant',
        alt: 'Restaurant',
        keyboard: false,
        zIndexOffset: -100,
      }).addTo(state.map);
      state.zoneLayer = L.circle([loc.lat, loc.lng], {
        radius: radiusM || 1,
        color: '#1d4ed8',
        weight: 2,
        fillOpacity: 0.06,
        interactive: false,
      }).addTo(state.map);
      state.mapReady = true;
      renderMarkers();
    } else {
      state.restaurantMarker.setLatLng([loc.lat, loc.lng]);
      state.zoneLayer.setLatLng([loc.lat, loc.lng]);
      state.zoneLayer.setRadius(radiusM || 1);
    }
  }

  function isDelivered(o) {
    return (
      o.status === 'confirmed' &&
      o.fulfillment !== 'pickup' &&
      typeof o.latitude === 'number' &&
      typeof o.longitude === 'number'
    );
  }

  function renderMarkers() {
    if (!state.mapReady) {
      els.mapEl.dataset.markerCount = String(state.orders.filter(isDelivered).length);
      return;
    }
    const L = window.L;
    const wanted = new Map(state.orders.filter(isDelivered).map((o) => [o.id, o]));
    for (const [id, marker] of state.markers) {
      if (!wanted.has(id)) {
        marker.remove();
        state.markers.delete(id);
      }
    }
    for (const [id, o] of wanted) {
      const existing = state.markers.get(id);
      if (existing) {
        existing.setLatLng([o.latitude, o.longitude]);
        continue;
      }
      const marker = L.marker([o.latitude, o.longitude], {
        icon: L.divIcon({ className: 'pin pin-order', html: '', iconSize: [18, 18], iconAnchor: [9, 9] }),
        title: `Order #${id}`,
        alt: `Order #${id}`,
        keyboard: true,
        riseOnHover: true,
      });
      marker.on('click', () => focusOrder(id));
      marker.addTo(state.map);
      const node = marker.getElement();
      if (node) {
        node.dataset.orderId = String(id);
        node.setAttribute('data-testid', 'order-marker');
        node.setAttribute('aria-label', `Order #${id}`);
        if (state.expanded.has(id)) node.classList.add('pin-selected');
      }
      state.markers.set(id, marker);
    }
    els.mapEl.dataset.markerCount = String(state.markers.size);
    els.mapNote.textContent = `${state.markers.size} delivered`;
  }

  function highlightMarker(id, on) {
    const marker = state.markers.get(id);
    if (!marker) return;
    marker.setZIndexOffset(on ? 1000 : 0);
    const node = marker.getElement();
    if (node) node.classList.toggle('pin-selected', on);
  }

  function focusOrder(id) {
    const row = rowOf(id);
    if (!row) return;
    if (!state.expanded.has(id)) toggle(id);
    const button = row.querySelector('.order-summary');
    row.scrollIntoView({ block: 'center', behavior: 'auto' });
    button.focus({ preventScroll: true });
  }

  // ---------- wiring ----------

  async function refreshAll() {
    const dayChanged = await loadStats();
    if (dayChanged) {
      state.expanded.clear();
      state.liveSinceFetch = [];
    }
    await loadOrders();
  }

  let searchTimer = 0;
  els.q.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => loadOrders().catch(reportError), SEARCH_DEBOUNCE_MS);
  });
  els.status.addEventListener('change', () => loadOrders().catch(reportError));
  els.source.addEventListener('change', () => loadOrders().catch(reportError));
  els.form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearTimeout(searchTimer);
    loadOrders().catch(reportError);
  });
  els.date.addEventListener('change', () => {
    const value = els.date.value;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return;
    state.followToday = value === els.date.max || !els.date.max;
    state.date = value;
    state.expanded.clear();
    state.liveSinceFetch = [];
    state.details.clear();
    refreshAll().catch(reportError);
  });

  setConnection('connecting');
  refreshAll().catch(reportError);
  connect();
})();
