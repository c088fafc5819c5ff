// A real OpenID Connect provider on loopback for the tests (npm package oidc-provider).
//
//   node tests/idp/oidc_provider.mjs <port> <config.json>
//
// config.json: {"clients": [{"client_id", "client_secret", "redirect_uris",
// "post_logout_redirect_uris"}], "accounts_file": "...", "id_token_ttl": 3600}.
// The accounts file ({"login name": {"email", "given_name", "family_name", "groups"}}) is read
// at every sign-in, so a test changes someone's groups by rewriting it. The signing key is
// generated at start; the dev interactions give the login and consent pages (any password).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

import Provider from 'oidc-provider';

const [port, configPath] = process.argv.slice(2);
const config = JSON.parse(readFileSync(configPath, 'utf8'));
const issuer = `http://127.0.0.1:${port}`;

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('hex'), use: 'sig', alg: 'RS256' };

function accounts() {
  return JSON.parse(readFileSync(config.accounts_file, 'utf8'));
}

const provider = new Provider(issuer, {
  clients: config.clients.map((client) => ({
    client_id: client.client_id,
    client_secret: client.client_secret,
    redirect_uris: client.redirect_uris,
    post_logout_redirect_uris: client.post_logout_redirect_uris || [],
    token_endpoint_auth_method: 'client_secret_post',
    response_types: ['code'],
    grant_types: ['authorization_code'],
  })),
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  // Groups go into the ID token like Entra ID's groups claim; the other claims by scope.
  conformIdTokenClaims: false,
  claims: {
    openid: ['sub', 'groups'],
    email: ['email'],
    profile: ['given_name', 'family_name', 'preferred_username'],
  },
  pkce: { required: () => true },
  ttl: { IdToken: config.id_token_ttl || 3600 },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      // The default page loads a web font; this one loads nothing.
      logoutSource: async (ctx, form) => {
        ctx.body = `<!DOCTYPE html><html lang="en"><head><title>Sign out</title></head><body>
          <h1>Sign out?</h1>${form}
          <button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
          </body></html>`;
      },
    },
  },
  findAccount: async (ctx, id) => {
    const account = accounts()[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          preferred_username: id,
          email: account.email,
          given_name: account.given_name,
          family_name: account.family_name,
          groups: account.groups || [],
        };
      },
    };
  },
});

provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`oidc-provider ready at ${issuer}`);
});
