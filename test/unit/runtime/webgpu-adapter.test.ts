import { strict as assert } from 'node:assert';
import { isSoftwareAdapter, parseLoaderReport } from '../../../src/core/runtime/webgpu-adapter';

describe('WebGPU adapter identity', () => {
  it('reads the device the Vulkan loader reports creating (VK_LOADER_DEBUG=driver), the last one when there are several', () => {
    const stderr = [
      'INFO | DRIVER:    linux_read_sorted_physical_devices:',
      'INFO | DRIVER:               [0] llvmpipe (LLVM 15.0.6, 256 bits)',
      'Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced from 1000000 to 16',
      'DRIVER:                  Using "NVIDIA GeForce RTX 4090" with driver: "libGLX_nvidia.so.0"',
      'DRIVER:                  Using "llvmpipe (LLVM 15.0.6, 256 bits)" with driver: "libvulkan_lvp.so"',
    ].join('\n');
    assert.deepEqual(parseLoaderReport(stderr), { name: 'llvmpipe (LLVM 15.0.6, 256 bits)', driver: 'libvulkan_lvp.so' });
    assert.equal(parseLoaderReport('INFO | DRIVER: Searching for driver manifest files'), undefined);
    assert.equal(parseLoaderReport(''), undefined);
  });

  it('knows the software renderers by name or driver, and nothing else', () => {
    const software = [
      { name: 'llvmpipe (LLVM 15.0.6, 256 bits)', driver: 'libvulkan_lvp.so' },
      { name: 'something new', driver: '/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so' },
      { name: 'SwiftShader Device (Subzero)', driver: 'libvk_swiftshader.so' },
      { name: 'Microsoft Basic Render Driver' },
      { name: 'WARP' },
      { name: 'lavapipe' },
    ];
    const hardware = [
      { name: 'NVIDIA GeForce RTX 4090', driver: 'libGLX_nvidia.so.0' },
      { name: 'AMD Radeon RX 7900 XTX (RADV NAVI31)', driver: 'libvulkan_radeon.so' },
      { name: 'Intel(R) UHD Graphics 630 (CFL GT2)', driver: 'libvulkan_intel.so' },
      { name: 'NVIDIA H200', driver: 'libGLX_nvidia.so.0' },
    ];
    for (const adapter of software) assert.equal(isSoftwareAdapter(adapter), true, adapter.name);
    for (const adapter of hardware) assert.equal(isSoftwareAdapter(adapter), false, adapter.name);
  });
});
