import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, TOKEN, testServer } from '../serve/httpClient.js';

type Server = Awaited<ReturnType<typeof testServer>>;

const DASHBOARD_ROUTES = ['/', '/dashboard/endpoints', '/dashboard/endpoints.csv', '/dashboard/endpoints/1'];
const API_ROUTES = ['/fleet/summary', '/endpoints', '/endpoints/1', '/transitions'];

/** Signs in through the form; returns the Set-Cookie header and the cookie to send back. */
async function signIn(server: Server, token = TOKEN, extra: Record<string, string> = {}): Promise<{ res: Response; cookie: string }> {
  const res = await fetch(`${server.url}/dashboard/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...extra },
    body: new URLSearchParams({ token, next: '/dashboard/endpoints?status=OFFLINE' }).toString(),
  });
  const setCookie = res.headers.get('set-cookie') ?? '';
  return { res, cookie: setCookie.split(';')[0] ?? '' };
}

describe('dashboard sign-in and the API token', () => {
  let server: Server;
  beforeAll(async () => {
    server = await testServer();
    const line = '{"id":1,"timestamp":"2022-01-01T00:00:00Z","description":"x","event_type":{"id":1},"organisation":{"id":77},"endpoint":{"id":1}}';
    await api(server, '/events', { method: 'POST', body: line });
    // The device page below needs endpoint 1 applied.
    for (let i = 0; i < 200 && (await api(server, '/endpoints/1')).status !== 200; i++) await new Promise((r) => setTimeout(r, 10));
  });
  afterAll(async () => {
    await server.close();
  });

  it('serves every dashboard page to the API bearer token in the Authorization header', async () => {
    for (const path of DASHBOARD_ROUTES) {
      const res = await api(server, path);
      expect(res.status, path).toBe(200);
      await res.body?.cancel();
    }
  });

  it('refuses a request without credentials: 401 with the Bearer challenge, or for a browser a redirect to the form', async () => {
    for (const path of DASHBOARD_ROUTES) {
      const res = await fetch(`${server.url}${path}`, { redirect: 'manual' });
      expect(res.status, path).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const browser = await fetch(`${server.url}${path}?x=1`, { redirect: 'manual', headers: { accept: 'text/html,*/*' } });
      expect(browser.status, path).toBe(303);
      expect(browser.headers.get('location')).toBe(`/dashboard/sign-in?next=${encodeURIComponent(`${path}?x=1`)}`);
    }
    const wrong = await fetch(`${server.url}/`, { headers: { authorization: 'Bearer not-the-token' } });
    expect(wrong.status).toBe(401);
  });

  it('checks credentials before any 404 or 405: without them no route is revealed', async () => {
    const probes: [string, string][] = [
      ['DELETE', '/'],
      ['POST', '/dashboard/endpoints'],
      ['PUT', '/dashboard/endpoints.csv'],
      ['POST', '/dashboard/endpoints/1'],
      ['PATCH', '/dashboard/live'],
      ['GET', '/dashboard/sign-out'],
      ['GET', '/dashboard/no-such-page'],
      ['GET', '/dashboard/endpoints/1/more'],
    ];
    for (const [method, path] of probes) {
      const res = await fetch(`${server.url}${path}`, { method, redirect: 'manual' });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.headers.get('www-authenticate'), `${method} ${path}`).toMatch(/^Bearer/);
      expect(res.headers.get('allow'), `${method} ${path}`).toBeNull();
      await res.body?.cancel();
    }
    // A browser's navigation to a page it may not see goes to the form, whatever the path.
    const browser = await fetch(`${server.url}/dashboard/endpoints/1`, { redirect: 'manual', headers: { accept: 'text/html' } });
    expect(browser.status).toBe(303);
    expect(browser.headers.get('location')).toMatch(/^\/dashboard\/sign-in\?next=/);
    // With the token the same requests learn the route's methods (405) or that it does not exist (404).
    const wrongMethod = await api(server, '/dashboard/endpoints', { method: 'POST' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET, HEAD');
    expect((await api(server, '/dashboard/sign-out')).status).toBe(405);
    expect((await api(server, '/dashboard/no-such-page')).status).toBe(404);
  });

  it('signs in once with the token through the form: an HttpOnly, SameSite=Strict session cookie, not the token', async () => {
    const { res, cookie } = await signIn(server);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/dashboard/endpoints?status=OFFLINE');
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^simfleet_session=[A-Za-z0-9_-]{43}; /);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).toContain('Path=/');
    expect(setCookie).not.toContain('Secure');
    expect(setCookie).not.toContain(TOKEN);
    for (const path of DASHBOARD_ROUTES) {
      const page = await fetch(`${server.url}${path}`, { headers: { cookie } });
      expect(page.status, path).toBe(200);
      await page.body?.cancel();
    }
  });

  it('marks the cookie Secure under TLS (a TLS-terminating proxy says so with X-Forwarded-Proto)', async () => {
    const { res } = await signIn(server, TOKEN, { 'x-forwarded-proto': 'https' });
    expect(res.headers.get('set-cookie')).toMatch(/; Secure$/);
  });

  it('refuses a wrong token on the form (401, no cookie) and never signs in from a token in the URL', async () => {
    const { res } = await signIn(server, 'guess');
    expect(res.status).toBe(401);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await res.text()).toContain('not this server’s API token');
    const inUrl = await fetch(`${server.url}/dashboard/sign-in?token=${TOKEN}`, { redirect: 'manual' });
    expect(inUrl.status).toBe(200);
    expect(inUrl.headers.get('set-cookie')).toBeNull();
    const queryToken = await fetch(`${server.url}/?token=${TOKEN}`, { redirect: 'manual' });
    expect(queryToken.status).toBe(401);
  });

  it('sends a signed-in browser only to paths on this server', async () => {
    for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example']) {
      const res = await fetch(`${server.url}/dashboard/sign-in`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: TOKEN, next }).toString(),
      });
      expect(res.headers.get('location'), next).toBe('/');
    }
  });

  it('leaves the API routes as they were: the session cookie does not open them', async () => {
    const { cookie } = await signIn(server);
    for (const path of API_ROUTES) {
      const res = await fetch(`${server.url}${path}`, { headers: { cookie } });
      expect(res.status, path).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      await res.body?.cancel();
    }
    const post = await fetch(`${server.url}/events`, { method: 'POST', headers: { cookie }, body: '[]' });
    expect(post.status).toBe(401);
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
  });

  it('signs out: the session ends on the server and the cookie is cleared', async () => {
    const { cookie } = await signIn(server);
    expect((await fetch(`${server.url}/`, { headers: { cookie } })).status).toBe(200);
    const out = await fetch(`${server.url}/dashboard/sign-out`, { method: 'POST', redirect: 'manual', headers: { cookie } });
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toMatch(/^simfleet_session=; .*Max-Age=0/);
    const after = await fetch(`${server.url}/`, { headers: { cookie }, redirect: 'manual' });
    expect(after.status).toBe(401);
    // The ended session opens nothing, not even the route's 405.
    const getSignOut = await fetch(`${server.url}/dashboard/sign-out`, { headers: { cookie } });
    expect(getSignOut.status).toBe(401);
    // Signing out again (an expired tab) still clears the cookie.
    const again = await fetch(`${server.url}/dashboard/sign-out`, { method: 'POST', redirect: 'manual', headers: { cookie } });
    expect(again.status).toBe(303);
  });

  it('keeps the live stream behind the same sign-in', async () => {
    const refused = await fetch(`${server.url}/dashboard/live`);
    expect(refused.status).toBe(401);
    const { cookie } = await signIn(server);
    const controller = new AbortController();
    const live = await fetch(`${server.url}/dashboard/live`, { headers: { cookie }, signal: controller.signal });
    expect(live.status).toBe(200);
    expect(live.headers.get('content-type')).toMatch(/^text\/event-stream/);
    controller.abort();
  });

  it('answers a bad filter with 400 and an unknown device with 404, saying why', async () => {
    const bad = await api(server, '/dashboard/endpoints?status=ASLEEP');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('status must be one of DELETED, SUSPENDED, DISABLED, BLOCKED, ONLINE, ATTACHED, OFFLINE, got ASLEEP');
    const unknown = await api(server, '/dashboard/endpoints/424242');
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('no event has been seen for endpoint 424242');
    const notAnId = await api(server, '/dashboard/endpoints/abc');
    expect(notAnId.status).toBe(400);
    expect((await api(server, '/dashboard/assets/nothing.js')).status).toBe(404);
    const uplot = await fetch(`${server.url}/dashboard/assets/uPlot.iife.min.js`);
    expect(uplot.status).toBe(200);
    expect(uplot.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await uplot.text()).toContain('uPlot');
  });

  it('sends pages that allow only the server’s own scripts and are never cached', async () => {
    const res = await api(server, '/');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const body = await res.text();
    // Nothing from another origin: every script and stylesheet is the server's.
    expect(body).not.toMatch(/(src|href)="(https?:)?\/\//);
  });
});
