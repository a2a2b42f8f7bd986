// The live orders dashboard: stats, hourly chart, failures, a Leaflet map and the order feed, kept current
// by server-sent events. Plain browser JavaScript modules (no build step). Every piece of order/customer text
// goes into the DOM through textContent, never through HTML strings.
import { reportError } from './api.js';
import { focusOrder, loadMore, loadOrders } from './feed.js';
import { onOrder, setConnection, startLive } from './live.js';
import { onMarkerSelect } from './map.js';
import { loadStats } from './stats.js';
import { els, state } from './state.js';

const SEARCH_DEBOUNCE_MS = 300;

async function refreshAll() {
  const dayChanged = await loadStats();
  if (dayChanged) {
    state.expanded.clear();
    state.liveSinceFetch = [];
  }
  await loadOrders();
}

onMarkerSelect(focusOrder);

els.moreButton.addEventListener('click', () => loadMore().catch(reportError));
// A cancel from an order's details (cancel.js): show the new status now and the cards right after, without
// waiting for the event stream (which brings the same update to every other open dashboard).
document.addEventListener('order-cancelled', (event) => {
  onOrder(event.detail, false);
  loadStats().catch(reportError);
});

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
startLive(refreshAll);
