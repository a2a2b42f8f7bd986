// Who calls during the lunch rush: realistic names, New York phone numbers and Midtown addresses within a
// couple of kilometres of the default restaurant (Midtown, near Penn Station). All drawn from the seeded
// generator, so --seed replays the same customers.

export interface Customer {
  name: string;
  /** As a person types it (the API body): "646-555-0199", "+1 (212) 555-0142", … */
  phone: string;
  /** The same number in E.164, as Vapi reports a caller: "+12125550142". */
  e164: string;
}

export interface Address {
  street: string;
  city: string;
  zip: string;
}

type Random = () => number;

const FIRST_NAMES = (
  'James Maria Michael Jennifer David Aisha Wei Priya Carlos Sofia Daniel Olivia Mohammed Emily Kenji ' +
  'Fatima Liam Chloé José Hannah Dmitri Grace Kwame Isabella Noah Mei Ethan Zoë Lucas Amara Sean Rachel'
).split(' ');
const LAST_NAMES = (
  "Smith Garcia Johnson Chen Williams Rodriguez Brown Patel Kim Nguyen O'Brien Cohen Rossi Müller Okafor " +
  'Kowalski Martinez Goldberg Haddad Silva Johansson Murphy Santos Ivanova Tanaka Díaz Levy Baker Russo Lee'
).split(' ');
const AREA_CODES = ['212', '646', '917', '332', '347', '718', '929'];

/** Midtown / Chelsea / Murray Hill streets and their ZIP codes: all within ~2.5 km of the restaurant. */
const STREETS = (
  'W 34th St:10001; W 31st St:10001; W 29th St:10001; W 26th St:10001; W 36th St:10018; W 38th St:10018; ' +
  'W 39th St:10018; W 42nd St:10036; W 44th St:10036; W 46th St:10036; W 23rd St:10011; W 21st St:10011; ' +
  'E 32nd St:10016; E 35th St:10016; E 28th St:10016; Madison Avenue:10016; 8th Avenue:10001; ' +
  '7th Avenue:10001; 9th Avenue:10001; Broadway:10001; 6th Avenue:10018; 10th Avenue:10036; ' +
  'Park Avenue South:10016; Lexington Ave:10016'
)
  .split('; ')
  .map((entry) => entry.split(':') as [string, string]);
/** Real places, the seed's example among them. */
const LANDMARKS: readonly Address[] = [
  { street: '350 Fifth Avenue', city: 'New York', zip: '10001' },
  { street: '4 Pennsylvania Plaza', city: 'New York', zip: '10001' },
  { street: '151 W 34th St', city: 'New York', zip: '10001' },
  { street: '20 Hudson Yards', city: 'New York', zip: '10001' },
  { street: '476 Fifth Avenue', city: 'New York', zip: '10018' },
  { street: '229 W 43rd St', city: 'New York', zip: '10036' },
  { street: '75 9th Ave', city: 'New York', zip: '10011' },
  { street: '89 E 42nd St', city: 'New York', zip: '10017' },
];
const CITY_SPELLINGS = ['New York', 'New York', 'New York', 'New York', 'NYC', 'Manhattan'];
const UNITS = ['Apt 4B', 'Apt 12F', 'Suite 300', 'Floor 7', '#5R', 'Apt 21C'];

const DELIVERY_NOTES = [
  'Ring the bell twice, please',
  'Leave it with the doorman',
  'Call when you are outside',
  'Buzzer is broken, please call',
  'Extra napkins please',
  'No contact delivery',
  'Office lunch, ask for the front desk',
];
const KITCHEN_NOTES = [
  'Well done, crispy crust',
  'Light on the sauce',
  'Cut in squares please',
  'Dressing on the side',
  'Birthday lunch, add plates if you can',
  'Nut allergy in the group',
];

export const pick = <T>(random: Random, values: readonly T[]): T => {
  const value = values[Math.floor(random() * values.length)];
  if (value === undefined) throw new Error('pick from an empty list');
  return value;
};

export const between = (random: Random, min: number, max: number) =>
  min + Math.floor(random() * (max - min + 1));

/** A customer whose phone number is new in this run (`taken` remembers them), so each order is findable. */
export function randomCustomer(random: Random, taken: Set<string>): Customer {
  const name = `${pick(random, FIRST_NAMES)} ${pick(random, LAST_NAMES)}`;
  for (;;) {
    const area = pick(random, AREA_CODES);
    const exchange = String(between(random, 201, 989));
    const line = String(between(random, 0, 9999)).padStart(4, '0');
    const e164 = `+1${area}${exchange}${line}`;
    if (taken.has(e164)) continue;
    taken.add(e164);
    // "(212) 555-0142" is common too, but the API's phone pattern wants a digit or + first.
    const phone = pick(random, [
      `${area}-${exchange}-${line}`,
      `+1 (${area}) ${exchange}-${line}`,
      `${area}.${exchange}.${line}`,
      `+1 ${area} ${exchange} ${line}`,
    ]);
    return { name, phone, e164 };
  }
}

export function randomAddress(random: Random): Address {
  if (random() < 0.25) return pick(random, LANDMARKS);
  const [street, zip] = pick(random, STREETS);
  const unit = random() < 0.4 ? `, ${pick(random, UNITS)}` : '';
  return { street: `${between(random, 1, 560)} ${street}${unit}`, city: pick(random, CITY_SPELLINGS), zip };
}

/** A note for about a third of the orders. */
export function randomNote(random: Random, delivery: boolean): string | undefined {
  if (random() >= 0.35) return undefined;
  return delivery && random() < 0.6 ? pick(random, DELIVERY_NOTES) : pick(random, KITCHEN_NOTES);
}
