import { readFileSync } from 'node:fs';
import { join } from 'node:path';

test('docker-compose.temporal.yml pins every image and wires the server to PostgreSQL and the UI', () => {
  const text = readFileSync(join(__dirname, '..', '..', 'docker-compose.temporal.yml'), 'utf8');
  const images = [...text.matchAll(/^\s*image:\s*(\S+)\s*$/gm)].map((m) => m[1]);
  expect(images.length).toBeGreaterThanOrEqual(4);
  for (const img of images) {
    expect(img).toMatch(/:[0-9][^:]*$/);
    expect(img).not.toMatch(/:latest$/);
  }
  expect(images.some((i) => i.startsWith('postgres:'))).toBe(true);
  expect(images.some((i) => i.startsWith('temporalio/ui:'))).toBe(true);
  expect(text).toMatch(/DB: postgres12/);
  expect(text).toMatch(/"7233:7233"/);
});
