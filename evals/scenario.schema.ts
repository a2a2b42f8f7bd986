// The shape of one scripted call (evals/scenarios/*.json). A step is one webhook message or one thing that
// happens between messages; its kind is the one key it has of STEP_KINDS, and each kind has its own schema so
// a mistake is reported against the kind the author meant (see scenario-loader.ts).
import { Type, type Static } from 'typebox';

const Text = Type.String({ minLength: 1 });
/** A label for a second call in the same scenario (another caller's call); the scenario's own is `main`. */
const CallLabel = Type.String({ pattern: '^[a-z][a-z0-9-]{0,30}$' });
const Phone = Type.String({ pattern: '^\\+?[0-9 ()-]{7,20}$' });
/** Vapi's tool call ids look like call_abc123; ours must be unique within a call. */
const ToolCallId = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' });
const Note = Type.Optional(Type.String());

export const Expectation = Type.Object(
  {
    /** Case-insensitive substrings that must all be in the answer. */
    says: Type.Optional(Type.Array(Text)),
    /** Case-insensitive substrings that must not be in it. */
    not: Type.Optional(Type.Array(Text)),
    /** true: the answer must be an `error`; false (the default): a `result`. */
    error: Type.Optional(Type.Boolean()),
    /** The answer must equal the answer to this earlier tool call id (same call). */
    same_as: Type.Optional(ToolCallId),
    /** With same_as: numbers (order numbers, times) may differ. */
    ignore_numbers: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const ToolCall = Type.Object(
  {
    tool: Text,
    /** An object, or a string sent as it is (Vapi also sends arguments as a JSON string). */
    args: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.String()])),
    id: Type.Optional(ToolCallId),
    expect: Type.Optional(Expectation),
  },
  { additionalProperties: false },
);

/** Which call a message belongs to and who is calling; default: the scenario's call and caller. */
const On = { call: Type.Optional(CallLabel), caller: Type.Optional(Phone), note: Note };

const CallsStep = Type.Object(
  { calls: Type.Array(ToolCall, { minItems: 1, maxItems: 10 }), ...On },
  { additionalProperties: false },
);
/** The previous tool-calls message again, same tool call ids: every answer must equal the first. */
const RedeliverStep = Type.Object(
  { redeliver: Type.Literal(true), note: Note },
  { additionalProperties: false },
);
/** The API restarts: the app is closed and a new one started on the same database. */
const RestartStep = Type.Object({ restart: Type.Literal(true), note: Note }, { additionalProperties: false });
/** An end-of-call-report for the call. */
const EndCallStep = Type.Object({ end_call: Type.Literal(true), ...On }, { additionalProperties: false });
/** A status-update (e.g. in-progress, ended) for the call. */
const StatusStep = Type.Object(
  { status_update: Text, ended_reason: Type.Optional(Text), ...On },
  { additionalProperties: false },
);
/** The call's latest order paid by link: the caller pays the texted link, or it expires unpaid. */
const PaymentStep = Type.Object(
  {
    payment_link: Type.Union([Type.Literal('paid'), Type.Literal('expired')]),
    call: Type.Optional(CallLabel),
    note: Note,
  },
  { additionalProperties: false },
);

/** The owner marks a menu item sold out today (or back on sale) through PATCH /api/menu/items/{id}. */
const MenuItemStep = Type.Object(
  { menu_item: Text, sold_out: Type.Boolean(), note: Note },
  { additionalProperties: false },
);
/** Another Vapi message whose JSON answer is checked as text (says, not; error: the answer has `error`). */
const SendStep = Type.Object(
  {
    send: Type.Union([Type.Literal('assistant-request'), Type.Literal('transfer-destination-request')]),
    expect: Type.Optional(Expectation),
    ...On,
  },
  { additionalProperties: false },
);

export const STEP_SCHEMAS = {
  calls: CallsStep,
  redeliver: RedeliverStep,
  restart: RestartStep,
  end_call: EndCallStep,
  status_update: StatusStep,
  payment_link: PaymentStep,
  menu_item: MenuItemStep,
  send: SendStep,
} as const;
export type StepKind = keyof typeof STEP_SCHEMAS;
export const STEP_KINDS = Object.keys(STEP_SCHEMAS) as StepKind[];

export type ToolCallSpec = Static<typeof ToolCall>;
export type ExpectationSpec = Static<typeof Expectation>;
export type CallsStepSpec = Static<typeof CallsStep>;
export type Step =
  | CallsStepSpec
  | Static<typeof RedeliverStep>
  | Static<typeof RestartStep>
  | Static<typeof EndCallStep>
  | Static<typeof StatusStep>
  | Static<typeof PaymentStep>
  | Static<typeof MenuItemStep>
  | Static<typeof SendStep>;

export const After = Type.Object(
  {
    /** Orders of this call (the `main` one) in the database. */
    orders: Type.Optional(Type.Integer({ minimum: 0 })),
    /** Their statuses, in the order they were placed. */
    statuses: Type.Optional(Type.Array(Text)),
    /** The total in dollars of the call's latest order. */
    total: Type.Optional(Type.Number({ minimum: 0 })),
    /** Rows of the call's orders in their day's workbook, after the app's own export ran. */
    workbookRows: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);
export type AfterSpec = Static<typeof After>;

/** Steps are checked one by one (scenario-loader.ts), so here they are any JSON objects. */
export const ScenarioFile = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    name: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$' }),
    description: Text,
    /** Configuration overrides for the app, as environment variables (see ALLOWED_ENV). */
    env: Type.Optional(Type.Record(Type.String(), Type.String())),
    caller: Type.Optional(Phone),
    steps: Type.Array(Type.Record(Type.String(), Type.Unknown()), { minItems: 1 }),
    after: Type.Optional(After),
  },
  { additionalProperties: false },
);

export interface Scenario {
  name: string;
  description: string;
  /** Where it was read from, for messages. */
  file: string;
  env: Record<string, string>;
  caller: string;
  steps: Step[];
  after: AfterSpec | null;
}

/**
 * The caller's number when a scenario gives none: one of its own (+1 415 555 1000 onwards, by the scenario's
 * place among the files), since scenarios share a database and a caller hears about their number's orders.
 */
export function defaultCaller(index: number): string {
  return `+1415555${String(1000 + index).padStart(4, '0')}`;
}

/**
 * The configuration a scenario may change: what a restaurant sets and the mock providers' behaviour. The
 * database, export folder and webhook secrets are the runner's.
 */
export const ALLOWED_ENV = [
  'RESTAURANT_NAME',
  'RESTAURANT_PHONE',
  'RESTAURANT_LAT',
  'RESTAURANT_LNG',
  'DELIVERY_RADIUS_KM',
  'DELIVERY_FEE',
  'TAX_RATE',
  'OPENING_HOURS',
  'TIMEZONE',
  'MENU_FILE',
  'PHONE_ORDERS_PER_HOUR',
  'VOICE_TOOL_TIMEOUT_MS',
  'MOCK_GEO_FAILURE_RATE',
  'MOCK_GEO_LATENCY_MS',
  'MOCK_PAYMENT_FAILURE_RATE',
  'MOCK_PAYMENT_LATENCY_MS',
  'MOCK_SEED',
] as const;
