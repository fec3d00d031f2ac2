// A real OpenID Connect provider for the sign-in tests, on 127.0.0.1.
//
//   PORT=9000 CLIENT_ID=ideas CLIENT_SECRET=s REDIRECT_URIS=http://127.0.0.1:8000/... node provider.mjs
//
// The interaction page signs in the account named by ?account= (or the
// login_hint, or "alice") without a form, or refuses with ?deny=1, so tests
// can drive the whole authorization-code flow. Consent is granted for the
// requested scopes. POST /test/mode {"audience": "x"} makes the token endpoint
// return ID tokens for another audience, {"issuer": "x"} makes discovery
// announce another issuer; {} puts things back. Prints "ready" when listening.
import http from 'node:http';

import * as jose from 'jose';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const clientId = process.env.CLIENT_ID ?? 'ideas';
const clientSecret = process.env.CLIENT_SECRET ?? 'secret';
const redirectUris = (process.env.REDIRECT_URIS ?? '').split(',').filter(Boolean);

const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
const signingKey = { ...(await jose.exportJWK(privateKey)), kid: 'test-key', use: 'sig', alg: 'RS256' };

let mode = {};

function displayName(id) {
  return id.charAt(0).toUpperCase() + id.slice(1).replace(/[-_]/g, ' ');
}

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: redirectUris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [signingKey] },
  cookies: { keys: ['test-provider-cookie-key'] },
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false } },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'picture'],
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          name: displayName(id),
          email: `${id}@example.org`,
          email_verified: true,
        };
      },
    };
  },
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
});

// Test switches: rewrite what the provider answers, signed with its real key.
provider.use(async (ctx, next) => {
  await next();
  if (ctx.path === '/token' && ctx.status === 200 && mode.audience && ctx.body?.id_token) {
    const claims = jose.decodeJwt(ctx.body.id_token);
    ctx.body = {
      ...ctx.body,
      id_token: await new jose.SignJWT({ ...claims, aud: mode.audience })
        .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
        .sign(privateKey),
    };
  }
  if (ctx.path === '/.well-known/openid-configuration' && mode.issuer && ctx.body) {
    ctx.body = { ...ctx.body, issuer: mode.issuer };
  }
});

const handle = provider.callback();

function readBody(req) {
  return new Promise((resolve) => {
    let data = '';
    req.on('data', (chunk) => { data += chunk; });
    req.on('end', () => resolve(data));
  });
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, issuer);
  try {
    if (url.pathname === '/test/mode' && req.method === 'POST') {
      mode = JSON.parse((await readBody(req)) || '{}');
      res.writeHead(204).end();
      return;
    }
    if (url.pathname.startsWith('/interaction/')) {
      const details = await provider.interactionDetails(req, res);
      const result = url.searchParams.get('deny')
        ? { error: 'access_denied', error_description: 'The person refused to sign in.' }
        : { login: { accountId: url.searchParams.get('account') || details.params.login_hint || 'alice' } };
      await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
      return;
    }
    handle(req, res);
  } catch (error) {
    res.writeHead(500, { 'Content-Type': 'text/plain' }).end(String(error));
  }
});

server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`ready ${issuer}\n`);
});
