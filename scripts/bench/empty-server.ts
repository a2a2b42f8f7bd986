// The machine's yardstick: the reference's "empty" variant (../shared/reference/hot-path.md), a Fastify
// server that validates the order body against a JSON schema and answers 201, with no I/O. Its rate on this
// machine, against the reference's, says how fast this machine is today.
import Fastify from 'fastify';

const item = {
  type: 'object',
  required: ['quantity'],
  properties: {
    name: { type: 'string', maxLength: 100 },
    quantity: { type: 'integer', minimum: 1, maximum: 99 },
    unit_price: { type: 'number' },
  },
};
const body = {
  type: 'object',
  required: ['customer_name', 'customer_phone', 'items'],
  additionalProperties: false,
  properties: {
    customer_name: { type: 'string', maxLength: 100 },
    customer_phone: { type: 'string', maxLength: 25 },
    delivery_address: { type: 'string', maxLength: 200 },
    city: { type: 'string', maxLength: 100 },
    zip_code: { type: 'string', maxLength: 10 },
    items: { type: 'array', minItems: 1, maxItems: 50, items: item },
  },
};
const reply = {
  type: 'object',
  properties: { id: { type: 'integer' }, status: { type: 'string' }, total: { type: 'number' } },
};

const app = Fastify({ logger: false });
let id = 0;
app.post('/api/orders', { schema: { body, response: { 201: reply } } }, async (_request, res) => {
  res.code(201);
  return { id: ++id, status: 'confirmed', total: 45.14 };
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
