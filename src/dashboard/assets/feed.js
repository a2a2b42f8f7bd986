// The order feed: filters, loading the list, building rows, and expanding a row into its details.
import { api, Unauthorized } from './api.js';
import { renderDetails } from './details.js';
import { el, exportText, money, phoneText, sentence, timeOf, words } from './format.js';
import { highlightMarker, renderMarkers } from './map.js';
import { els, PAGE_SIZE, state } from './state.js';

function filters() {
  return { status: els.status.value, source: els.source.value, q: els.q.value.trim() };
}

/** The server's rule for `q` (src/modules/orders/order-search.ts), for orders pushed live. */
function matchesSearch(order, raw) {
  const q = raw.trim();
  const national = (digits) => (digits.length === 11 && digits.startsWith('1') ? digits.slice(1) : digits);
  const phoneDigits = national(String(order.customer_phone || '').replace(/\D/g, ''));
  const number = /^#?\s*(\d{1,15})$/.exec(q);
  if (number) {
    if (String(order.id) === String(Number(number[1]))) return true;
    return !q.startsWith('#') && number[1].length >= 7 && phoneDigits === national(number[1]);
  }
  const lower = q.toLowerCase();
  if (`${order.customer_name}\n${order.customer_phone}`.toLowerCase().includes(lower)) return true;
  const digits = q.replace(/\D/g, '');
  return /^\+?[\d\s().-]+$/.test(q) && digits.length >= 7 && phoneDigits === national(digits);
}

export function matchesFilters(order) {
  const f = filters();
  if (order.business_date && state.date && order.business_date !== state.date) return false;
  if (f.status && order.status !== f.status) return false;
  if (f.source && order.source !== f.source) return false;
  return !f.q || matchesSearch(order, f.q);
}

function listParams(page) {
  const f = filters();
  const params = new URLSearchParams({ page: String(page), page_size: String(PAGE_SIZE), date: state.date });
  if (f.status) params.set('status', f.status);
  if (f.source) params.set('source', f.source);
  if (f.q) params.set('q', f.q);
  return params;
}

export async function loadOrders() {
  if (!state.date) return;
  const seq = ++state.listSeq;
  const data = await api(`/api/orders?${listParams(1)}`);
  if (seq !== state.listSeq) return;
  const ids = new Set(data.orders.map((o) => o.id));
  // Orders pushed live while this request was under way are kept even if the answer predates them.
  const extra = state.liveSinceFetch.filter((o) => !ids.has(o.id) && matchesFilters(o));
  state.liveSinceFetch = extra;
  const merged = extra.concat(data.orders).sort((a, b) => b.id - a.id);
  state.pagesLoaded = 1;
  state.total = Math.max(data.total || 0, merged.length);
  setOrders(merged);
}

/**
 * The next page under the same filters, appended. Orders placed since the first page shift the pages down,
 * so a page may repeat rows already shown: they are skipped by id.
 */
export async function loadMore() {
  if (!state.date || state.loadingMore) return;
  const seq = state.listSeq;
  state.loadingMore = true;
  renderMore();
  try {
    const data = await api(`/api/orders?${listParams(state.pagesLoaded + 1)}`);
    if (seq !== state.listSeq) return;
    state.pagesLoaded += 1;
    const fresh = data.orders.filter((o) => !state.byId.has(o.id));
    state.total = Math.max(data.total || 0, state.orders.length + fresh.length);
    for (const order of fresh) {
      state.orders.push(order);
      state.byId.set(order.id, order);
    }
    els.list.append(...fresh.map((o) => buildRow(o, false)));
    // A short page means the end, whatever total said when the first page was read.
    if (data.orders.length < PAGE_SIZE) state.total = state.orders.length;
  } finally {
    state.loadingMore = false;
    afterListChange();
  }
}

function renderMore() {
  const rest = state.total - state.orders.length;
  els.more.hidden = rest <= 0;
  els.moreButton.disabled = state.loadingMore;
  els.moreButton.textContent = state.loadingMore
    ? 'Loading…'
    : `Show ${Math.min(rest, PAGE_SIZE)} more (${rest} not shown)`;
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
  els.count.textContent =
    state.total > shown ? `${shown} of ${state.total} shown` : `${shown} order${shown === 1 ? '' : 's'}`;
  renderMore();
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
    el('span', 'customer-phone', phoneText(order.customer_phone)),
  );
  const source = el(
    'span',
    `cell cell-source source-${order.source}`,
    order.source === 'voice' ? '☎ Voice' : 'API',
  );
  const total = el('span', 'cell cell-total num', money(order.total));
  const statusCell = el('span', 'cell cell-status');
  const badge = el('span', `badge badge-${order.status}`, words('status', order.status));
  statusCell.append(badge);
  if (order.status === 'failed' && order.failure_code) {
    statusCell.append(el('span', 'failure-hint', sentence(order.failure_code)));
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
