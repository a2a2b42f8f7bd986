// An order attempt as a row to write (OrderDraft) and, once written, as the record the use-case answers with:
// pure mappings from the prepared request, its context, the delivery location and the outcome.
import { cents } from '../../shared/money.js';
import type { DeliveryLocation, PreparedOrder } from './order-preparation.js';
import type { OrderDraft, OrderRecord, OrderSource } from './orders.repository.js';

/** The outcome columns each path of the use-case decides. */
export type DraftOutcome = Pick<
  OrderDraft,
  'status' | 'paymentStatus' | 'paymentProvider' | 'paymentId' | 'failureCode' | 'failureReason'
>;

export function draftOf(
  prepared: PreparedOrder,
  context: { source: OrderSource; vapiCallId: string | null },
  location: DeliveryLocation | null,
  outcome: DraftOutcome,
): OrderDraft {
  const { request, lines, totals } = prepared;
  // Fields one by one, not `...outcome`: a spread of the callers' differently shaped objects is a slow
  // generic copy on every order (a CPU profile showed this function among the hot path's top self times).
  return {
    status: outcome.status,
    paymentStatus: outcome.paymentStatus,
    paymentProvider: outcome.paymentProvider,
    paymentId: outcome.paymentId,
    failureCode: outcome.failureCode,
    failureReason: outcome.failureReason,
    source: context.source,
    fulfillment: request.fulfillment,
    customerName: request.customerName,
    customerPhone: request.customerPhone,
    deliveryAddress: request.deliveryAddress,
    city: request.city,
    zipCode: request.zipCode,
    formattedAddress: location?.formattedAddress ?? null,
    latitude: location?.latitude ?? null,
    longitude: location?.longitude ?? null,
    distanceKm: location?.distanceKm ?? null,
    subtotalCents: totals.subtotalCents,
    taxCents: totals.taxCents,
    deliveryFeeCents: totals.deliveryFeeCents,
    totalCents: totals.totalCents,
    notes: request.notes,
    vapiCallId: context.vapiCallId,
    lines,
  };
}

export function recordOf(
  draft: OrderDraft,
  inserted: { id: number; createdAt: Date; businessDate: string },
): OrderRecord {
  const { lines } = draft;
  return {
    status: draft.status,
    source: draft.source,
    fulfillment: draft.fulfillment,
    customerName: draft.customerName,
    customerPhone: draft.customerPhone,
    deliveryAddress: draft.deliveryAddress,
    city: draft.city,
    zipCode: draft.zipCode,
    formattedAddress: draft.formattedAddress,
    latitude: draft.latitude,
    longitude: draft.longitude,
    distanceKm: draft.distanceKm,
    subtotalCents: draft.subtotalCents,
    taxCents: draft.taxCents,
    deliveryFeeCents: draft.deliveryFeeCents,
    totalCents: draft.totalCents,
    paymentStatus: draft.paymentStatus,
    paymentProvider: draft.paymentProvider,
    paymentId: draft.paymentId,
    failureCode: draft.failureCode,
    failureReason: draft.failureReason,
    notes: draft.notes,
    vapiCallId: draft.vapiCallId,
    id: inserted.id,
    businessDate: inserted.businessDate,
    createdAt: inserted.createdAt,
    updatedAt: inserted.createdAt,
    exportedAt: null,
    cancelledAt: null,
    refundId: null,
    items: lines.map((l, i) => ({
      lineNo: i + 1,
      menuItemId: l.itemId,
      name: l.name,
      quantity: l.quantity,
      unitPriceCents: l.unitPriceCents,
      options: l.options,
      lineTotalCents: cents(l.lineTotalCents),
    })),
  };
}
