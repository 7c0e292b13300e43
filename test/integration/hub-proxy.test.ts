// HTTP(S)_PROXY and NO_PROXY: downloads go through a CONNECT proxy on 127.0.0.1 when the environment names one.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadModel } from '../../src/core/hub';
import { FakeHub, fixtureRepo } from '../unit/hub/fake-hub';

const COMMIT = 'c'.repeat(8) + '0123456789abcdef0123456789abcdef';
const REPO = 'tiny-org/longformer-tiny';

/** A tunnelling proxy that only ever connects to loopback; `hub.invalid` (unresolvable) maps to the fake hub. */
function startProxy(hubPort: number): Promise<{ server: Server; url: string; tunnels: string[]; sockets: Set<Socket> }> {
  const tunnels: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req, client: Socket) => {
    const target = req.url ?? '';
    tunnels.push(target);
    const [host, port] = target.split(':');
    const upstreamPort = host === 'hub.invalid' ? hubPort : Number(port);
    if (host !== 'hub.invalid' && host !== '127.0.0.1') {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = connect(upstreamPort, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    }
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, tunnels, sockets }),
    ),
  );
}

describe('hub downloads through a proxy', () => {
  let hub: FakeHub;
  let cacheDir: string;
  let proxy: Awaited<ReturnType<typeof startProxy>>;

  beforeEach(async () => {
    hub = new FakeHub();
    hub.addRepo(fixtureRepo(REPO, COMMIT));
    await hub.start();
    proxy = await startProxy(Number(new URL(hub.hubUrl).port));
    cacheDir = await mkdtemp(join(tmpdir(), 'lens-hub-proxy-'));
  });

  afterEach(async () => {
    for (const socket of proxy.sockets) socket.destroy();
    await new Promise<void>((resolve) => proxy.server.close(() => resolve()));
    await hub.close();
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('reaches a hub only the proxy can reach, via HTTP_PROXY', async () => {
    const result = await downloadModel(REPO, {
      env: { HF_ENDPOINT: 'http://hub.invalid', HF_HUB_CACHE: cacheDir, HF_HOME: cacheDir, HTTP_PROXY: proxy.url },
    });
    const weights = fixtureRepo(REPO, COMMIT).files.get('model.safetensors')?.content;
    assert.deepEqual(readFileSync(join(result.snapshotDir, 'model.safetensors')), weights);
    assert.ok(proxy.tunnels.includes('hub.invalid:80'));
    // The CDN redirect (127.0.0.1:port) went through the proxy as well.
    assert.ok(proxy.tunnels.includes(new URL(hub.cdnUrl).host));
  });

  it('bypasses the proxy for hosts in NO_PROXY', async () => {
    await downloadModel(REPO, {
      env: { HF_ENDPOINT: hub.hubUrl, HF_HUB_CACHE: cacheDir, HF_HOME: cacheDir, HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' },
    });
    assert.deepEqual(proxy.tunnels, []);
    assert.ok(hub.requests.length > 0);
  });
});
