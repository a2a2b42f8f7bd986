// The live orders dashboard: stats, hourly chart, failures, a Leaflet map and the order feed, kept current
// by server-sent events. Plain browser JavaScript modules (no build step). Every piece of order/customer text
// goes into the DOM through textContent, never through HTML strings.
import { reportError } from './api.js';
import { focusOrder, loadOrders } from './feed.js';
import { setConnection, startLive } from './live.js';
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
