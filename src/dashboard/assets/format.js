// Small helpers: building elements (text always via textContent) and formatting money, times and codes.
import { state } from './state.js';

/** Creates an element with a class and text (text always via textContent). */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

const moneyFormat = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
export const money = (n) => moneyFormat.format(Number(n) || 0);
export const percent = (r) => `${(Math.round((Number(r) || 0) * 1000) / 10).toFixed(1)}%`;

export function timeOf(iso, withSeconds) {
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

export function dateTimeOf(iso) {
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

export function humanize(code) {
  return String(code || '').replace(/_/g, ' ');
}

export function exportText(order) {
  if (order.status !== 'confirmed') return 'Not exported';
  return order.exported_at ? `Exported ${timeOf(order.exported_at)}` : 'Waiting';
}
