/**
 * Draws an RGBA tensor that lives in tfjs's WebGPU backend onto a canvas without reading it back: the
 * tensor's storage buffer (from `dataToGPU()`) is read by a fragment shader that renders into the
 * canvas's current texture, on tfjs's own `GPUDevice`.
 *
 * We render (RENDER_ATTACHMENT, the preferred canvas format) rather than use tfjs's `Draw` kernel,
 * which writes the canvas texture as a storage texture, a usage not every adapter offers for canvas
 * formats. Neither works on SwiftShader in headless Chromium 156 (the device is lost once a WebGPU
 * canvas is presented), so there the renderer takes its 8-bit path; this one is for hardware adapters
 * and has not yet run on one in this project's tests.
 */
import type * as tf from '@tensorflow/tfjs';
import { contextWebGpu, type RenderCanvas } from './canvas.js';

const SHADER = /* wgsl */ `
struct Dims { rows: u32, cols: u32 };
@group(0) @binding(0) var<storage, read> colours: array<f32>;
@group(0) @binding(1) var<uniform> dims: Dims;

@vertex fn cover(@builtin(vertex_index) i: u32) -> @builtin(position) vec4f {
  // One triangle that covers the viewport.
  var corners = array<vec2f, 3>(vec2f(-1.0, -1.0), vec2f(3.0, -1.0), vec2f(-1.0, 3.0));
  return vec4f(corners[i], 0.0, 1.0);
}

@fragment fn paint(@builtin(position) position: vec4f) -> @location(0) vec4f {
  // Framebuffer y grows downwards, like the tensor's rows.
  let cell = (u32(position.y) * dims.cols + u32(position.x)) * 4u;
  return vec4f(colours[cell], colours[cell + 1u], colours[cell + 2u], colours[cell + 3u]);
}`;

interface WebGpuBackendInternals {
  device: GPUDevice;
  commandEncoder?: unknown;
  endComputePassEncoder(): void;
  submitQueue(): void;
}

export interface WebGpuBlitter {
  draw(rgba: tf.Tensor3D, canvas: RenderCanvas): void;
  dispose(): void;
}

/** Submits what tfjs has recorded so far, so work we submit after it sees finished results. */
function submitPendingWebGpuWork(backend: tf.KernelBackend): void {
  const internals = backend as unknown as WebGpuBackendInternals;
  if (!internals.commandEncoder) return;
  internals.endComputePassEncoder();
  internals.submitQueue();
}

export function createWebGpuBlitter(backend: tf.KernelBackend): WebGpuBlitter {
  const device = (backend as unknown as WebGpuBackendInternals).device;
  const format = navigator.gpu.getPreferredCanvasFormat();
  const module = device.createShaderModule({ code: SHADER });
  const pipeline = device.createRenderPipeline({
    layout: 'auto',
    vertex: { module, entryPoint: 'cover' },
    fragment: { module, entryPoint: 'paint', targets: [{ format }] },
    primitive: { topology: 'triangle-list' },
  });
  const dims = device.createBuffer({ size: 8, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  const configured = new WeakSet<GPUCanvasContext>();

  return {
    draw(rgba, canvas) {
      const [rows, cols] = rgba.shape;
      const gpu = rgba.dataToGPU() as { buffer?: GPUBuffer; tensorRef: tf.Tensor };
      try {
        if (!gpu.buffer) throw new Error('dataToGPU gave no buffer.');
        submitPendingWebGpuWork(backend);
        if (canvas.width !== cols) canvas.width = cols;
        if (canvas.height !== rows) canvas.height = rows;
        const context = contextWebGpu(canvas);
        if (!context) throw new Error('The heatmap canvas has no WebGPU context.');
        if (!configured.has(context)) {
          context.configure({ device, format, alphaMode: 'premultiplied' });
          configured.add(context);
        }
        device.queue.writeBuffer(dims, 0, new Uint32Array([rows, cols]));
        const group = device.createBindGroup({
          layout: pipeline.getBindGroupLayout(0),
          entries: [
            { binding: 0, resource: { buffer: gpu.buffer } },
            { binding: 1, resource: { buffer: dims } },
          ],
        });
        const encoder = device.createCommandEncoder();
        const pass = encoder.beginRenderPass({
          colorAttachments: [{ view: context.getCurrentTexture().createView(), loadOp: 'clear', clearValue: [0, 0, 0, 0], storeOp: 'store' }],
        });
        pass.setPipeline(pipeline);
        pass.setBindGroup(0, group);
        pass.draw(3);
        pass.end();
        device.queue.submit([encoder.finish()]);
      } finally {
        gpu.tensorRef.dispose();
      }
    },
    dispose() {
      dims.destroy();
    },
  };
}
