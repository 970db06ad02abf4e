import { describe, expect, it } from '@jest/globals';
import { formatRoutes, parseRoutes } from './routes.js';

describe('routes', () => {
  it('are one line per set of instances, read back as they were', () => {
    const instances = [
      { service: 'order', id: 'order-a', host: '127.0.0.1', port: 3002, weight: 3 },
      { service: 'order', id: 'order-b', host: '127.0.0.1', port: 3012, weight: 1 },
      { service: 'user', id: 'user-1', host: '::1', port: 3001, weight: 1 },
    ];
    const line = formatRoutes(instances);
    expect(line).toBe('order=order-a×3,order-b×1 user=user-1×1');
    expect(parseRoutes(line)).toEqual({
      order: [
        { id: 'order-a', weight: 3 },
        { id: 'order-b', weight: 1 },
      ],
      user: [{ id: 'user-1', weight: 1 }],
    });
    expect(formatRoutes([])).toBe('none');
    expect(parseRoutes('none')).toEqual({});
  });
});
