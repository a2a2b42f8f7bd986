// Shared page state and the page's elements, read by every dashboard module. Modules run deferred, after the
// document is parsed, so the elements exist when this is evaluated.

export const PAGE_SIZE = 100;

export const state = {
  date: null, // the business day shown (YYYY-MM-DD)
  followToday: true, // true until the user picks another day
  timeZone: undefined,
  stats: null,
  orders: [], // OrderView[], newest first, as shown
  total: 0,
  pagesLoaded: 0, // pages of PAGE_SIZE fetched for the current filters ("show more" adds one)
  loadingMore: false,
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
export const els = {
  name: $('restaurant-name'),
  date: $('date-picker'),
  conn: $('connection'),
  banner: $('banner'),
  chart: $('hourly-chart'),
  chartTip: $('chart-tip'),
  axisOrders: $('axis-orders'),
  axisRevenue: $('axis-revenue'),
  failures: $('failures'),
  exportState: $('export-state'),
  mapEl: $('map'),
  mapNote: $('map-note'),
  list: $('orders'),
  empty: $('orders-empty'),
  count: $('orders-count'),
  more: $('orders-more'),
  moreButton: $('orders-more-button'),
  status: $('filter-status'),
  source: $('filter-source'),
  q: $('filter-q'),
  form: $('filters'),
};
