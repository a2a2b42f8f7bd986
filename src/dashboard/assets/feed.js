// The order feed: filters, loading the list, building rows, and expanding a row into its details.
import { api, Unauthorized } from './api.js';
import { renderDetails } from './details.js';
import { el, exportText, humanize, money, timeOf } from './format.js';
import { highlightMarker, renderMarkers } from './map.js';
import { els, PAGE_SIZE, state } from './state.js';

const STATUS_LABELS = {
  confirmed: 'Confirmed',
  failed: 'Failed',
  cancelled: 'Cancelled',
  awaiting_payment: 'Awaiting payment',
};

function filters() {
  return { status: els.status.value, source: els.source.value, q: els.q.value.trim() };
}

export function matchesFilters(order) {
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

export async function loadOrders() {
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

export function afterListChange() {
  els.empty.hidden = state.orders.length > 0;
  const shown = state.orders.length;
  els.count.textContent = state.total > shown ? `${shown} of ${state.total}` : `${shown} shown`;
  renderMarkers();
}

export function rowOf(id) {
  return els.list.querySelector(`[data-testid="order-row"][data-order-id="${Number(id)}"]`);
}

export function buildRow(order, isNew) {
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
  const badge = el('span', `badge badge-${order.status}`, STATUS_LABELS[order.status] || 'Failed');
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

export function updateExportCell(order) {
  const row = rowOf(order.id);
  if (!row) return;
  const cell = row.querySelector('.cell-export');
  cell.textContent = exportText(order);
  cell.dataset.exported = order.exported_at ? 'true' : 'false';
  if (state.expanded.has(order.id)) {
    renderDetails(row.querySelector('.order-details'), state.details.get(order.id) || order, false);
  }
}

export function focusOrder(id) {
  const row = rowOf(id);
  if (!row) return;
  if (!state.expanded.has(id)) toggle(id);
  const button = row.querySelector('.order-summary');
  row.scrollIntoView({ block: 'center', behavior: 'auto' });
  button.focus({ preventScroll: true });
}
