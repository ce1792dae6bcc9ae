// panva's oidc-provider (OpenID Certified) as a network's identity provider, for tests/interop.
// Usage: node provider.mjs <config.json>; the tests write the config: issuer, port, clients, signing keys.
// Its development interactions take any login and password: the login becomes the subject.
import fs from 'node:fs';
import Provider from 'oidc-provider';

const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));

const provider = new Provider(config.issuer, {
  clients: config.clients,
  jwks: config.jwks,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  cookies: { keys: ['federa-interop-cookie-key'] },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: `${id}@coop-alfa.example.org`, email_verified: true, name: `Persona ${id}` };
      },
    };
  },
});

provider.listen(config.port, '127.0.0.1', () => {
  console.log(`ready ${config.issuer}`);
});
