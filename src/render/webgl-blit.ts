/**
 * Draws an RGBA tensor that lives in tfjs's WebGL backend onto a 2D canvas without reading it back:
 * `dataToGPU()` hands over the tensor's texture, a tiny shader in tfjs's own WebGL context copies it
 * to that context's drawing buffer, and the 2D canvas composites that buffer in the same task.
 *
 * tfjs creates its context with `alpha: false`, so the drawing buffer is opaque: the colours are
 * premultiplied onto black and the renderer blends the canvas with `mix-blend-mode: screen` (black
 * leaves the video untouched, bright cells light it up).
 *
 * tfjs re-binds its program, vertex array and framebuffer for every op, but we still save and restore
 * every piece of GL state we touch, so kernels that run next see the context exactly as they left it.
 */
import type * as tf from '@tensorflow/tfjs';
import { context2d, type RenderCanvas } from './canvas.js';

export interface TextureBlitter {
  gl: WebGL2RenderingContext;
  program: WebGLProgram;
  vao: WebGLVertexArrayObject;
  buffer: WebGLBuffer;
  dispose(): void;
}

const VERTEX = `#version 300 es
in vec2 corner;
void main() { gl_Position = vec4(corner, 0.0, 1.0); }`;

// The texture holds the [H, W, 4] tensor densely: texel (x, y) of a W × H texture is cell (x, y).
// Output row 0 is the bottom of the drawing buffer, hence the flip.
const FRAGMENT = `#version 300 es
precision highp float;
uniform highp sampler2D colours;
uniform int rows;
out vec4 outColour;
void main() {
  ivec2 p = ivec2(gl_FragCoord.xy);
  vec4 c = texelFetch(colours, ivec2(p.x, rows - 1 - p.y), 0);
  outColour = vec4(c.rgb, 1.0);
}`;

function compile(gl: WebGL2RenderingContext, type: number, source: string): WebGLShader {
  const shader = gl.createShader(type);
  if (!shader) throw new Error('Could not create a WebGL shader.');
  gl.shaderSource(shader, source);
  gl.compileShader(shader);
  if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) throw new Error(`Heatmap shader: ${gl.getShaderInfoLog(shader) ?? 'compile error'}`);
  return shader;
}

/** Builds the blit program in tfjs's WebGL context (`backend` must be tfjs's webgl backend). */
export function createTextureBlitter(backend: tf.KernelBackend): TextureBlitter {
  const gl = (backend as unknown as { gpgpu?: { gl?: WebGL2RenderingContext } }).gpgpu?.gl;
  if (!gl) throw new Error('The active backend has no WebGL context.');
  const program = gl.createProgram();
  const vao = gl.createVertexArray();
  const buffer = gl.createBuffer();
  if (!program || !vao || !buffer) throw new Error('Could not allocate WebGL objects for the heatmap.');
  gl.attachShader(program, compile(gl, gl.VERTEX_SHADER, VERTEX));
  gl.attachShader(program, compile(gl, gl.FRAGMENT_SHADER, FRAGMENT));
  gl.linkProgram(program);
  if (!gl.getProgramParameter(program, gl.LINK_STATUS)) throw new Error(`Heatmap program: ${gl.getProgramInfoLog(program) ?? 'link error'}`);

  const previousVao = gl.getParameter(gl.VERTEX_ARRAY_BINDING) as WebGLVertexArrayObject | null;
  const previousBuffer = gl.getParameter(gl.ARRAY_BUFFER_BINDING) as WebGLBuffer | null;
  gl.bindVertexArray(vao);
  gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
  gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([-1, -1, 1, -1, -1, 1, 1, 1]), gl.STATIC_DRAW);
  const corner = gl.getAttribLocation(program, 'corner');
  gl.enableVertexAttribArray(corner);
  gl.vertexAttribPointer(corner, 2, gl.FLOAT, false, 0, 0);
  gl.bindVertexArray(previousVao);
  gl.bindBuffer(gl.ARRAY_BUFFER, previousBuffer);

  return {
    gl,
    program,
    vao,
    buffer,
    dispose() {
      if (gl.isContextLost()) return;
      gl.deleteProgram(program);
      gl.deleteVertexArray(vao);
      gl.deleteBuffer(buffer);
    },
  };
}

/**
 * In: `rgba` [H, W, 4] float 0..1 premultiplied, on the webgl backend. Draws it onto `target`
 * (resized to W × H) with no GPU→CPU transfer. `rgba` is not disposed.
 */
export function drawTextureToCanvas(blitter: TextureBlitter, rgba: tf.Tensor3D, target: RenderCanvas): void {
  const [rows, cols] = rgba.shape;
  const { gl, program, vao } = blitter;
  const gpu = rgba.dataToGPU({ customTexShape: [rows, cols] }) as { texture?: WebGLTexture; tensorRef: tf.Tensor };
  const saved = {
    framebuffer: gl.getParameter(gl.FRAMEBUFFER_BINDING) as WebGLFramebuffer | null,
    program: gl.getParameter(gl.CURRENT_PROGRAM) as WebGLProgram | null,
    vao: gl.getParameter(gl.VERTEX_ARRAY_BINDING) as WebGLVertexArrayObject | null,
    viewport: gl.getParameter(gl.VIEWPORT) as Int32Array,
    activeTexture: gl.getParameter(gl.ACTIVE_TEXTURE) as number,
    width: gl.canvas.width,
    height: gl.canvas.height,
  };
  try {
    if (!gpu.texture) throw new Error('dataToGPU gave no texture.');
    gl.canvas.width = cols;
    gl.canvas.height = rows;
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    gl.viewport(0, 0, cols, rows);
    gl.useProgram(program);
    gl.bindVertexArray(vao);
    gl.activeTexture(gl.TEXTURE0);
    const savedTexture = gl.getParameter(gl.TEXTURE_BINDING_2D) as WebGLTexture | null;
    gl.bindTexture(gl.TEXTURE_2D, gpu.texture);
    gl.uniform1i(gl.getUniformLocation(program, 'colours'), 0);
    gl.uniform1i(gl.getUniformLocation(program, 'rows'), rows);
    gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
    gl.bindTexture(gl.TEXTURE_2D, savedTexture);

    target.width = cols;
    target.height = rows;
    const context = context2d(target);
    context?.clearRect(0, 0, cols, rows);
    context?.drawImage(gl.canvas, 0, 0);
  } finally {
    gl.activeTexture(saved.activeTexture);
    gl.bindVertexArray(saved.vao);
    gl.useProgram(saved.program);
    gl.bindFramebuffer(gl.FRAMEBUFFER, saved.framebuffer);
    gl.viewport(saved.viewport[0] ?? 0, saved.viewport[1] ?? 0, saved.viewport[2] ?? 0, saved.viewport[3] ?? 0);
    if (gl.canvas.width !== saved.width) gl.canvas.width = saved.width;
    if (gl.canvas.height !== saved.height) gl.canvas.height = saved.height;
    gpu.tensorRef.dispose();
  }
}
