// The expanded details of one order: items, customer/delivery/payment/export, and the voice call.
import { cancelBlock } from './cancel.js';
import { el, dateTimeOf, exportText, money, phoneText, sentence, words } from './format.js';

function kv(dl, label, value) {
  if (value === undefined || value === null || value === '') return;
  dl.append(el('dt', '', label), el('dd', '', value));
}

export function renderDetails(container, order, loading) {
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
  kv(dl, 'Status', words('status', order.status));
  kv(dl, 'Customer', order.customer_name);
  kv(dl, 'Phone', phoneText(order.customer_phone));
  kv(dl, 'Placed', dateTimeOf(order.created_at));
  kv(dl, 'Fulfillment', words('fulfillment', order.fulfillment));
  const street = [order.delivery_address, order.city, order.zip_code].filter(Boolean).join(', ');
  kv(dl, 'Address', order.formatted_address || street);
  if (order.latitude !== null && order.latitude !== undefined && order.longitude !== null) {
    kv(dl, 'Coordinates', `${Number(order.latitude).toFixed(5)}, ${Number(order.longitude).toFixed(5)}`);
  }
  if (order.distance_km !== null && order.distance_km !== undefined) {
    kv(dl, 'Distance', `${Number(order.distance_km).toFixed(2)} km`);
  }
  kv(dl, 'Payment', words('payment', order.payment_status));
  kv(dl, 'Paid through', words('provider', order.payment_provider));
  kv(dl, 'Payment id', order.payment_id);
  if (order.status === 'failed') {
    kv(dl, 'Failure', [sentence(order.failure_code), order.failure_reason].filter(Boolean).join(': '));
  }
  if (order.cancelled_at) kv(dl, 'Cancelled', dateTimeOf(order.cancelled_at));
  kv(dl, 'Refund id', order.refund_id);
  kv(dl, 'Export', order.exported_at ? `Exported ${dateTimeOf(order.exported_at)}` : exportText(order));
  kv(dl, 'Notes', order.notes);
  info.append(dl);
  const cancel = cancelBlock(order);
  if (cancel) info.append(cancel);
  parts.push(info);

  // Voice call
  if (order.source === 'voice') {
    const call = el('section', 'detail-block detail-call');
    call.append(el('h3', '', 'Call'));
    if (order.call) {
      const c = order.call;
      const cdl = el('dl', 'kv');
      kv(cdl, 'Caller', c.caller_number && phoneText(c.caller_number));
      kv(
        cdl,
        'Status',
        [sentence(c.status), c.ended_reason && sentence(c.ended_reason)].filter(Boolean).join(' · '),
      );
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
      call.append(el('p', 'muted call-loading', loading ? 'Loading the call…' : 'No call details recorded.'));
    }
    parts.push(call);
  }

  container.replaceChildren(...parts);
}
