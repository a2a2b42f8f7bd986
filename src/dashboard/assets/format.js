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
  return String(code || '').replace(/[_-]/g, ' ');
}

/** A US number one way, whichever way it was typed or reported: "(212) 965-3846"; others as they came. */
export function phoneText(phone) {
  const text = String(phone || '');
  const all = text.replace(/\D/g, '');
  const digits = all.length === 11 && all.startsWith('1') ? all.slice(1) : all;
  const plusOther = text.trim().startsWith('+') && !text.trim().startsWith('+1');
  if (digits.length !== 10 || plusOther) return text;
  return `(${digits.slice(0, 3)}) ${digits.slice(3, 6)}-${digits.slice(6)}`;
}

/** A code as the start of a sentence: "card_declined" -> "Card declined". */
export function sentence(code) {
  const text = humanize(code);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// The API's codes in an owner's words; an unknown code still reads as words.
const WORDS = {
  status: {
    confirmed: 'Confirmed',
    failed: 'Failed',
    cancelled: 'Cancelled',
    awaiting_payment: 'Awaiting payment',
  },
  fulfillment: { delivery: 'Delivery', pickup: 'Pickup' },
  payment: {
    succeeded: 'Paid by card',
    declined: 'Card declined',
    error: 'Not charged (payment provider unavailable)',
    not_attempted: 'Not charged',
    refunded: 'Refunded',
    refund_pending: 'Refund pending',
    due_on_delivery: 'Pay on delivery',
    due_at_pickup: 'Pay at pickup',
    awaiting_payment: 'Payment link sent, not paid yet',
    link_expired: 'Payment link expired',
  },
  provider: { mock: 'Test payments (mock)', stripe: 'Stripe' },
  source: { api: 'API', voice: 'Phone call' },
};

/** `kind` is status, fulfillment, payment, provider or source. */
export function words(kind, code) {
  if (code === null || code === undefined || code === '') return '';
  return (WORDS[kind] && WORDS[kind][code]) || sentence(code);
}

export function exportText(order) {
  if (order.status !== 'confirmed') return 'Not exported';
  return order.exported_at ? `Exported ${timeOf(order.exported_at)}` : 'Waiting';
}
