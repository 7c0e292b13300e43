// The execution provider the engine suites run on: the CPU in `npm test`'s main mocha run; WebGPU when
// `npm run test:webgpu` runs the same files again with LENS_TEST_PROVIDER=webgpu (on whatever adapter exists; CI
// installs Mesa's software Vulkan driver, scripts/ci/install-vulkan.sh). test/support/webgpu-gate.ts skips or fails
// that run when no WebGPU adapter can be had.
export type TestProvider = 'cpu' | 'webgpu';

function testProvider(value: string | undefined): TestProvider {
  if (value === undefined || value === '' || value === 'cpu') return 'cpu';
  if (value === 'webgpu') return 'webgpu';
  throw new Error(`LENS_TEST_PROVIDER=${value}: the suites run on cpu or webgpu.`);
}

export const TEST_PROVIDER: TestProvider = testProvider(process.env['LENS_TEST_PROVIDER']);
