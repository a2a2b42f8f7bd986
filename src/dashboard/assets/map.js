// The Leaflet map: the restaurant, its delivery zone and a marker per delivered order. Leaflet (window.L) is
// a classic script loaded before the modules.
import { els, state } from './state.js';

// Set by main.js (the feed): what a click on an order's marker does.
let selectOrder = () => undefined;
export function onMarkerSelect(handler) {
  selectOrder = handler;
}

function plainText(html) {
  // Attribution is operator configuration, but it is still shown as text only (an inert document).
  const text = new DOMParser().parseFromString(String(html || ''), 'text/html').body.textContent || '';
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function initMap(data) {
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

export function renderMarkers() {
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
    marker.on('click', () => selectOrder(id));
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

export function highlightMarker(id, on) {
  const marker = state.markers.get(id);
  if (!marker) return;
  marker.setZIndexOffset(on ? 1000 : 0);
  const node = marker.getElement();
  if (node) node.classList.toggle('pin-selected', on);
}
