// An independent OpenID provider for the interoperability test: panva's
// OpenID-certified `oidc-provider`, with its development login and consent
// pages. Whatever is typed as the login becomes the account, and the account
// id is the citizen's FIN, sent in the ID token as the `fin` claim.
import Provider from 'oidc-provider';

const env = (name) => {
  if (!process.env[name]) throw new Error(`${name} is required`);
  return process.env[name];
};
const port = Number(env('PORT'));

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: env('CLIENT_ID'),
    client_secret: env('CLIENT_SECRET'),
    redirect_uris: [env('REDIRECT_URI')],
    post_logout_redirect_uris: [env('POST_LOGOUT_REDIRECT_URI')],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  pkce: { required: () => true },
  claims: { openid: ['sub'], profile: ['name', 'fin'] },
  // The portal reads the citizen from the signed ID token, not from userinfo.
  conformIdTokenClaims: false,
  findAccount: async (ctx, id) => ({
    accountId: id,
    claims: async () => ({ sub: id, fin: id, name: process.env.CITIZEN_NAME || 'Sınaq Vətəndaş' }),
  }),
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  cookies: { keys: ['interop-test-only'] },
});
provider.proxy = false;

provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider ready on ${port}`);
});
