import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { until } from './until.js';
import { zipkinTrace, zipkinTraces, zipkinUrl, type ZipkinSpan } from './zipkin.js';

describe("the run's Zipkin", () => {
  it('finds a reported trace by its id, its service and its tags', async () => {
    const traceId = randomBytes(16).toString('hex');
    const server: ZipkinSpan = {
      traceId,
      id: randomBytes(8).toString('hex'),
      name: 'post /api/orders',
      kind: 'SERVER',
      timestamp: Date.now() * 1000,
      duration: 2_000,
      localEndpoint: { serviceName: 'probe-shop' },
      tags: { 'http.request.method': 'POST', 'probe.trace': traceId },
    };
    const client: ZipkinSpan = { ...server, id: randomBytes(8).toString('hex'), parentId: server.id, name: 'insert', kind: 'CLIENT', duration: 500, tags: {} };
    const reported = await fetch(`${zipkinUrl()}/api/v2/spans`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([server, client]) });
    expect(reported.status).toBe(202);

    await until(async () => (await zipkinTrace(traceId)).length === 2);
    expect(await zipkinTrace(traceId)).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'insert', parentId: server.id })]));
    const found = await zipkinTraces({ serviceName: 'probe-shop', annotationQuery: `probe.trace=${traceId}`, lookbackMs: 60_000 });
    expect(found.map((trace) => trace[0]!.traceId)).toEqual([traceId]);
  });

  it('has no spans for a trace it never received', async () => {
    await expect(zipkinTrace(randomBytes(16).toString('hex'))).resolves.toEqual([]);
  });
});
