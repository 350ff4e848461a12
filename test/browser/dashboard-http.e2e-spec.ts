import request from 'supertest';
import { startTestApi, uniqueName, type TestApi } from '@parkex/test-support/test-api';

/** The dashboard's HTTP side, without a browser: the page, its files, and the names query. */
describe('dashboard over HTTP', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  const get = (path: string) => request(api.app.getHttpServer()).get(path);

  it('serves the page with a strict content security policy', async () => {
    const page = await get('/dashboard');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("connect-src 'self'");
    expect(page.text).toContain('<script type="module" src="/dashboard/app.js">');
    expect((await get('/dashboard/')).status).toBe(200);
  });

  it('serves its modules and the pinned vendor builds from node_modules', async () => {
    for (const file of ['app.js', 'api.js', 'curves.js', 'price-chart.js', 'format.js']) {
      const response = await get(`/dashboard/${file}`);
      expect({ file, status: response.status, type: response.headers['content-type'] }).toEqual({
        file,
        status: 200,
        type: 'text/javascript; charset=utf-8',
      });
    }
    const css = await get('/dashboard/styles.css');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    const uplot = await get('/dashboard/vendor/uplot.js');
    expect(uplot.status).toBe(200);
    expect(uplot.text).toContain('uPlot');
    expect((await get('/dashboard/vendor/uplot.css')).status).toBe(200);
  });

  it('serves nothing else', async () => {
    for (const path of [
      '/dashboard/nope.js',
      '/dashboard/..%2Fpackage.json',
      '/dashboard/%2E%2E%2F%2E%2E%2Fpackage.json',
      '/dashboard/vendor/uPlot.cjs.js',
      '/dashboard/vendor/constructor',
      '/dashboard/.hidden.js',
    ]) {
      const response = await get(path);
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
    }
  });

  it('names participants for the operator, not for a participant', async () => {
    const tenant = await api.createParticipant(uniqueName('dash-names'));
    const query = 'query($ids: [ID!]!) { participantsByIds(ids: $ids) { id name role } }';
    const unknown = '00000000-0000-4000-8000-000000000000';
    const named = await api.gql(
      query,
      { ids: [tenant.id, unknown, tenant.id, 'not-a-uuid'] },
      api.operatorKey,
    );
    expect(named.errors).toBeUndefined();
    expect(named.data.participantsByIds).toEqual([
      { id: tenant.id, name: expect.stringContaining('dash-names'), role: 'PARTICIPANT' },
    ]);
    const refused = await api.gql(query, { ids: [tenant.id] }, tenant.key);
    expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const tooMany = await api.gql(
      query,
      { ids: Array.from({ length: 201 }, () => unknown) },
      api.operatorKey,
    );
    expect(tooMany.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});
