// The cancel control of an order's details: a button, then a confirmation naming the order and the refund,
// then POST /api/orders/{id}/cancel (the same service the API uses). A refusal shows the API's own message.
// Success is announced as an `order-cancelled` event on document; the feed and the cards update from it.
import { apiPost, reportError } from './api.js';
import { el, money } from './format.js';

const CANCELLABLE = new Set(['confirmed', 'awaiting_payment']);

/** id -> 'confirming' | 'sending' | { error }: kept here so a re-render of the details keeps the step. */
const steps = new Map();

export function cancelBlock(order) {
  if (!CANCELLABLE.has(order.status)) {
    steps.delete(order.id);
    return null;
  }
  const box = el('div', 'cancel-box');
  box.setAttribute('data-testid', 'cancel-box');
  const rerender = () => {
    const next = cancelBlock(order) || el('span');
    box.replaceWith(next);
    return next;
  };
  const step = steps.get(order.id);

  if (step === 'confirming' || step === 'sending') {
    const refund =
      order.payment_status === 'succeeded'
        ? `${money(order.total)} is refunded to the customer's card.`
        : order.status === 'awaiting_payment'
          ? 'Its payment link stops working.'
          : 'Nothing was charged, so nothing is refunded.';
    const question = el('p', 'cancel-question', `Cancel order #${order.id}? ${refund}`);
    question.id = `cancel-question-${order.id}`;
    const yes = el(
      'button',
      'button button-danger',
      step === 'sending' ? 'Cancelling…' : 'Yes, cancel order',
    );
    yes.type = 'button';
    yes.disabled = step === 'sending';
    yes.setAttribute('data-testid', 'cancel-confirm');
    yes.setAttribute('aria-describedby', question.id);
    const no = el('button', 'button button-quiet', 'Keep order');
    no.type = 'button';
    no.disabled = step === 'sending';
    no.setAttribute('data-testid', 'cancel-keep');
    no.addEventListener('click', () => {
      steps.delete(order.id);
      rerender();
    });
    yes.addEventListener('click', () => {
      steps.set(order.id, 'sending');
      rerender();
      send(order.id).finally(() => {
        const current = document.querySelector(`[data-testid="cancel-box"][data-order-id="${order.id}"]`);
        if (current && steps.get(order.id) !== undefined)
          current.replaceWith(cancelBlock(order) || el('span'));
      });
    });
    const actions = el('div', 'cancel-actions');
    actions.append(yes, no);
    box.append(question, actions);
    box.setAttribute('role', 'group');
    box.setAttribute('aria-label', `Cancel order #${order.id}`);
  } else {
    const button = el('button', 'button button-outline-danger', 'Cancel order…');
    button.type = 'button';
    button.setAttribute('data-testid', 'cancel-order');
    button.addEventListener('click', () => {
      steps.set(order.id, 'confirming');
      const next = rerender();
      const yes = next.querySelector('[data-testid="cancel-confirm"]');
      if (yes) yes.focus({ preventScroll: true });
    });
    box.append(button);
    if (step && step.error) {
      const error = el('p', 'cancel-error', step.error);
      error.setAttribute('role', 'alert');
      error.setAttribute('data-testid', 'cancel-error');
      box.append(error);
    }
  }
  box.dataset.orderId = String(order.id);
  return box;
}

async function send(id) {
  try {
    const { ok, body } = await apiPost(`/api/orders/${encodeURIComponent(id)}/cancel`);
    if (ok && body && typeof body.id === 'number') {
      steps.delete(id);
      document.dispatchEvent(new CustomEvent('order-cancelled', { detail: body }));
      return;
    }
    const message =
      body && typeof body.message === 'string' ? body.message : 'The order could not be cancelled.';
    steps.set(id, { error: message });
  } catch (error) {
    steps.set(id, { error: 'Could not reach the server; the order was not cancelled. Try again.' });
    reportError(error);
  }
}
