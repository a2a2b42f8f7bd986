// npm run vapi:assistant [-- --url https://orders.example.com] [--with-secret]
// Prints the Vapi assistant this server hands out on assistant-request, as JSON on stdout (paste it into
// the Vapi dashboard or POST it to /assistant). The open/closed wording reflects the moment it is printed.
import { Command } from 'commander';
import { loadConfig } from '../src/config.js';
import { loadMenuFile } from '../src/modules/menu/menu.loader.js';
import { MenuService } from '../src/modules/menu/menu.service.js';
import { buildAssistant } from '../src/modules/voice/vapi-assistant.js';
import { restaurantFromConfig } from '../src/modules/orders/restaurant.js';

const SECRET_PLACEHOLDER = '<VAPI_WEBHOOK_SECRET>';

async function main(): Promise<void> {
  const config = loadConfig();
  const options = new Command()
    .option('--url <url>', 'public base URL Vapi reaches this server at (default: PUBLIC_URL)')
    .option(
      '--with-secret',
      'print the real VAPI_WEBHOOK_SECRET instead of a placeholder (no VAPI_CREDENTIAL_ID)',
    )
    .parse()
    .opts<{ url?: string; withSecret?: boolean }>();

  // config.publicUrl is PUBLIC_URL, or http://localhost:<PORT> when it is unset.
  const publicUrl = (options.url ?? config.publicUrl).replace(/\/+$/, '');
  if (!/^https?:\/\/[^\s/]+/.test(publicUrl)) {
    throw new Error(`--url must be a URL such as https://orders.example.com, got "${publicUrl}"`);
  }
  if (!publicUrl.startsWith('https://')) {
    console.error(
      `vapi-assistant: warning: ${publicUrl} is not a public HTTPS URL; Vapi can only reach this server ` +
        'through one (pass --url or set PUBLIC_URL, e.g. to an ngrok or cloudflared tunnel).',
    );
  }

  // With a Vapi credential the assistant carries no secret at all; without one, the current secret (the first:
  // a second is only accepted while rotating, as in src/container.ts) goes as its X-Vapi-Secret header.
  const credentialId = config.vapi.credentialId;
  const secret = credentialId === null ? (config.vapi.webhookSecrets[0] ?? null) : null;
  // A placeholder by default, so an assistant pasted into a ticket or chat does not leak the secret.
  const webhookSecret = secret === null ? null : options.withSecret ? secret : SECRET_PLACEHOLDER;
  if (credentialId !== null) {
    console.error(
      `vapi-assistant: Vapi authenticates with credential ${credentialId}; no secret is printed.`,
    );
  } else if (secret === null) {
    console.error(
      'vapi-assistant: warning: neither VAPI_CREDENTIAL_ID nor VAPI_WEBHOOK_SECRET is set; the webhook will be ' +
        'unauthenticated.',
    );
  } else if (!options.withSecret) {
    console.error(
      `vapi-assistant: the secret is shown as ${SECRET_PLACEHOLDER}; pass --with-secret to print it, or set ` +
        'VAPI_CREDENTIAL_ID to a Vapi credential to leave it out.',
    );
  }

  // Built as in src/container.ts, without the database: the menu view needs only the menu and the hours.
  const menuFile = await loadMenuFile(config.restaurant.menuFile);
  const restaurant = restaurantFromConfig(config, menuFile);
  const menu = new MenuService(restaurant, menuFile.categories).view();

  const assistant = buildAssistant({
    restaurantName: config.restaurant.name,
    publicUrl,
    menu,
    restaurantPhone: config.restaurant.phone,
    credentialId,
    webhookSecret,
    timeZone: config.timeZone,
    paymentLinks: config.paymentLinks,
  });
  process.stdout.write(`${JSON.stringify(assistant, null, 2)}\n`);
}

main().catch((error: unknown) => {
  console.error(`vapi-assistant: ${(error as Error).message}`);
  process.exit(1);
});
